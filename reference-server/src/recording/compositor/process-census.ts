/**
 * Which processes mention a path on their command line, from `/proc` (Linux). Composer processes name
 * their work directory (SDP input, segment files), so this tells whether any ffmpeg of a recording is
 * still alive — tests use it to prove that no composer outlives its recorder.
 */
import { readdir, readFile } from 'node:fs/promises';

/**
 * The IDs of the processes whose command line contains `fragment`. Empty where `/proc` does not exist;
 * processes that exit while they are being read are skipped.
 */
export async function processesMentioning(fragment: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
        // Arguments are NUL-separated; a zombie (exited, not yet reaped) has an empty command line.
        if (commandLine.split('\0').some((arg) => arg.includes(fragment))) found.push(Number(entry));
      }),
  );
  return found.sort((a, b) => a - b);
}

/**
 * Kills (SIGKILL) the processes whose command line contains `fragment` — after a crash, the composers
 * the dead server left writing into a recording's directory (ffmpeg does not notice its parent died).
 * Never this process.
 */
export async function killProcessesMentioning(fragment: string): Promise<void> {
  for (const pid of await processesMentioning(fragment)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
