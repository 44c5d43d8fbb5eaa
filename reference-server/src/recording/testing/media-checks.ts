/**
 * Checks on recorded media for tests: the colour of a pixel of a frame at a given time (to see a layout
 * in the output), and waiting helpers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The RGB colour of pixel (`x`, `y`) of the frame shown at `seconds` in `path`. */
export async function pixelAt(
  path: string,
  seconds: number,
  x: number,
  y: number,
): Promise<[number, number, number]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(seconds),
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      `crop=2:2:${x}:${y}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 1024 * 1024 },
  );
  return [stdout[0] ?? 0, stdout[1] ?? 0, stdout[2] ?? 0];
}

/** Which of red, green, blue or black a colour is closest to. */
export function dominant([r, g, b]: [number, number, number]): 'red' | 'green' | 'blue' | 'black' {
  if (Math.max(r, g, b) < 60) return 'black';
  if (r >= g && r >= b) return 'red';
  return g >= b ? 'green' : 'blue';
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it returns a truthy value, or rejects after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}
