import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildRecord, dieWithParentSupport, spawnChild, trackChildren } from './child-processes.js';
import { isSameLiveProcess, readProcessIdentity } from './process-identity.js';

const FIXTURE = fileURLToPath(new URL('./testing/orphaning-parent.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const linuxWithSetpriv = dieWithParentSupport().available;
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

/** Processes to kill whatever happens. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** Starts the fixture parent in `mode`; resolves with its child's PID and identity once it printed it. */
function startParent(mode: string): Promise<{ parent: ChildProcess; childPid: number; childStart: number }> {
  const parent = spawn(process.execPath, ['--import', TSX_LOADER, FIXTURE, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (parent.pid !== undefined) started.push(parent.pid);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    parent.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    parent.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      const { pid } = JSON.parse(line) as { pid?: number };
      const identity = pid === undefined ? null : readProcessIdentity(pid);
      if (pid === undefined || identity === null) return reject(new Error(`no child: ${line} ${err}`));
      started.push(pid);
      resolve({ parent, childPid: pid, childStart: identity.startTime });
    });
    parent.once('exit', (code) => reject(new Error(`the fixture parent exited (${code}): ${err}`)));
  });
}

/** Kills the parent with SIGKILL and waits until it is gone. */
async function killParent(parent: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  parent.kill('SIGKILL');
  await exited;
}

/** Polls until the process is gone (a zombie counts as gone); false if it is still running at the deadline. */
async function goneWithin(pid: number, startTime: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isSameLiveProcess(pid, startTime)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isSameLiveProcess(pid, startTime);
}

describe.skipIf(!linuxWithSetpriv)('spawnChild: children die with their parent', () => {
  it('kills a child started through spawnChild when its parent is killed with SIGKILL', {
    timeout: 30_000,
  }, async () => {
    const { parent, childPid, childStart } = await startParent('helper');
    // The child is `sleep` itself (setpriv exec'd it in place), not a setpriv wrapper around it.
    // (Polled: right after the fork it may still be setpriv, about to exec.)
    await expect.poll(() => readProcessIdentity(childPid)?.executable, { timeout: 5000 }).toBe('sleep');
    await killParent(parent);
    expect(await goneWithin(childPid, childStart, 5000)).toBe(true);
  });

  it('control: a child started with plain spawn() outlives its killed parent (what the helper prevents)', {
    timeout: 30_000,
  }, async () => {
    const { parent, childPid, childStart } = await startParent('direct');
    await killParent(parent);
    expect(await goneWithin(childPid, childStart, 1000)).toBe(false);
  });

  it.skipIf(!hasFfmpeg)(
    'kills the ffmpeg of an FfmpegProcess when the server process is killed',
    {
      timeout: 30_000,
    },
    async () => {
      const { parent, childPid, childStart } = await startParent('ffmpeg');
      await killParent(parent);
      expect(await goneWithin(childPid, childStart, 5000)).toBe(true);
    },
  );
});

describe.skipIf(process.platform !== 'linux')('SFU worker processes', () => {
  it('exit when the server process is killed with SIGKILL (their IPC channel closes)', {
    timeout: 60_000,
  }, async () => {
    const { parent, childPid, childStart } = await startParent('sfu-worker');
    await killParent(parent);
    expect(await goneWithin(childPid, childStart, 10_000)).toBe(true);
  });
});

describe('spawnChild', () => {
  it('passes arguments through unchanged (dashes, spaces, quotes) and reports the exit code', async () => {
    const child = spawnChild(
      process.execPath,
      ['-e', 'console.log(JSON.stringify(process.argv.slice(1)));process.exit(3)', '--', '-x', 'a b', "c'd"],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(3);
    expect(JSON.parse(out)).toEqual(['-x', 'a b', "c'd"]);
  });

  it('fails like spawn() for a missing executable: an ENOENT error event and no PID', async () => {
    const child = spawnChild('parley-no-such-executable', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    expect(error.code).toBe('ENOENT');
    expect(child.pid).toBeUndefined();
  });

  it.skipIf(process.platform !== 'linux')(
    'reports each child to the trackers when it starts and when it ends',
    async () => {
      const events: Array<[string, ChildRecord | number]> = [];
      const untrack = trackChildren({
        childStarted: (child) => events.push(['started', child]),
        childEnded: (pid) => events.push(['ended', pid]),
      });
      try {
        const child = spawnChild('sleep', ['30'], { stdio: 'ignore' });
        const pid = child.pid as number;
        const identity = readProcessIdentity(pid);
        expect(events).toEqual([['started', { pid, startTime: identity?.startTime, command: 'sleep' }]]);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        expect(events[1]).toEqual(['ended', pid]);
      } finally {
        untrack();
      }
      spawnChild('true', [], { stdio: 'ignore' });
      expect(events).toHaveLength(2);
    },
  );
});
