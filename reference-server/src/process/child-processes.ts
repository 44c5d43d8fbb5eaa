/**
 * The one way the server starts its media children (ffmpeg composers, broadcasts and codec pipes, the
 * speech recogniser): {@link spawnChild}, which makes sure none of them outlives the server.
 *
 * Layer 1, die with the parent: on Linux the child is started through util-linux
 * `setpriv --pdeathsig KILL -- <exe> <args>`, which sets `PR_SET_PDEATHSIG` and then `exec`s the
 * executable in the same process (same PID, same pipes, same `argv[0]`), so the kernel sends it SIGKILL
 * the moment the server dies, however it dies (`kill -9`, OOM killer, a test runner killed mid-run).
 * Nothing else would: ffmpeg ignores SIGPIPE, a quiet UDP input does not end it, and a closed stdin does
 * not stop an ffmpeg that does not read it.
 *
 * The death signal is tied to the *thread* that forked the child, not the process. libuv forks from the
 * thread running the calling event loop: today every spawn site runs on the main thread, whose end is
 * the process's end. A child spawned from a `worker_threads` Worker would be killed when that Worker
 * ends; that is intended — its pipes were owned by that thread's event loop, so nothing could talk to
 * it any more.
 *
 * `setpriv` arms the signal a moment after the fork: a server dying in that window (microseconds) leaves
 * the child unarmed, which the journal below still catches at the next start.
 *
 * Where `setpriv` (with `--pdeathsig`, util-linux 2.33+) is missing, or off Linux, children are spawned
 * directly; {@link dieWithParentSupport} says which, and `startServer` logs it once. Layer 2, for those
 * cases and for servers of older versions, is the start-up reaper of `child-journal.ts`: every child
 * started here is reported to the {@link ChildTracker}s (the data directory's journal).
 */
import {
  type ChildProcess,
  type ChildProcessByStdio,
  type SpawnOptions,
  spawn,
  spawnSync,
} from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { readProcessIdentity } from './process-identity.js';

/** A running child as journals record it. */
export interface ChildRecord {
  pid: number;
  /** Its start time (`/proc/<pid>/stat` field 22), which tells it apart from a later owner of the PID. */
  startTime: number;
  /** The executable as it was asked for (`ffmpeg`, `/usr/bin/python3`): its `argv[0]`. */
  command: string;
}

/** Hears about every child {@link spawnChild} starts and sees end. */
export interface ChildTracker {
  childStarted(child: ChildRecord): void;
  childEnded(pid: number): void;
}

/** Whether children can be tied to the life of this process, and how. */
export type DieWithParentSupport =
  | { available: true; setpriv: string }
  | { available: false; reason: string };

/** Options of {@link spawnChild}: those of `spawn()`, without the shell (the command is an executable). */
export type SpawnChildOptions = Omit<SpawnOptions, 'shell' | 'argv0' | 'detached'>;

const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'];

const trackers = new Set<ChildTracker>();
let support: DieWithParentSupport | undefined;

/**
 * Reports every child started from now on (and its end) to `tracker`, until the returned function is
 * called. Several trackers may listen at once (several servers in one process, in tests).
 */
export function trackChildren(tracker: ChildTracker): () => void {
  trackers.add(tracker);
  return () => {
    trackers.delete(tracker);
  };
}

/**
 * Whether {@link spawnChild} ties children to this process: on Linux with a `setpriv` that supports
 * `--pdeathsig`. Probed once (a synchronous run of `setpriv --pdeathsig KILL -- setpriv --version`,
 * a few milliseconds) and cached.
 */
export function dieWithParentSupport(): DieWithParentSupport {
  support ??= probeSetpriv();
  return support;
}

/**
 * Starts `command` with `args` like `spawn()` (no shell), killed by the kernel if this process dies
 * (see the file comment), and reported to the trackers. Spawn failures are the usual ones: a missing
 * executable emits `error` with `ENOENT`, as with `spawn()`.
 */
export function spawnChild(
  command: string,
  args: readonly string[],
  options: SpawnChildOptions & { stdio: ['pipe', 'pipe', 'pipe'] },
): ChildProcessByStdio<Writable, Readable, Readable>;
export function spawnChild(
  command: string,
  args: readonly string[],
  options?: SpawnChildOptions,
): ChildProcess;
export function spawnChild(
  command: string,
  args: readonly string[],
  options: SpawnChildOptions = {},
): ChildProcess {
  const guard = dieWithParentSupport();
  // An executable that cannot be found is spawned directly, so it fails as `spawn()` does (ENOENT)
  // instead of as a `setpriv` exiting with 127.
  const child =
    guard.available && findExecutable(command, options) !== null
      ? spawn(guard.setpriv, ['--pdeathsig', 'KILL', '--', command, ...args], options)
      : spawn(command, args, options);
  track(child, command);
  return child;
}

function track(child: ChildProcess, command: string): void {
  const pid = child.pid;
  if (pid === undefined || trackers.size === 0) return;
  const identity = readProcessIdentity(pid);
  // Not Linux, or it is already gone: nothing a journal could use later.
  if (identity === null) return;
  const record: ChildRecord = { pid, startTime: identity.startTime, command };
  const told = [...trackers];
  for (const tracker of told) tracker.childStarted(record);
  child.once('exit', () => {
    for (const tracker of told) tracker.childEnded(pid);
  });
}

/**
 * The path `spawn()` would execute for `command` (PATH lookup for a bare name, else relative to the
 * working directory), or null when there is no such executable file.
 */
function findExecutable(command: string, options: SpawnChildOptions): string | null {
  const cwd =
    options.cwd === undefined
      ? process.cwd()
      : typeof options.cwd === 'string'
        ? options.cwd
        : fileURLToPath(options.cwd);
  if (command.includes('/')) return executableFile(resolve(cwd, command));
  const path = options.env?.PATH ?? process.env.PATH ?? '';
  for (const directory of path.split(delimiter)) {
    const found = executableFile(resolve(cwd, directory || '.', command));
    if (found) return found;
  }
  return null;
}

function executableFile(path: string): string | null {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

function probeSetpriv(): DieWithParentSupport {
  if (process.platform !== 'linux') {
    return { available: false, reason: `${process.platform} has no parent-death signal` };
  }
  const pathCandidates = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const setpriv = [...SETPRIV_CANDIDATES, ...pathCandidates.map((directory) => join(directory, 'setpriv'))]
    .map(executableFile)
    .find((path) => path !== null);
  if (!setpriv) return { available: false, reason: 'setpriv (util-linux) is not installed' };
  const probe = spawnSync(setpriv, ['--pdeathsig', 'KILL', '--', setpriv, '--version'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 5000,
  });
  if (probe.status !== 0) {
    const detail = probe.error?.message ?? (probe.stderr.trim().split('\n')[0] || `exit ${probe.status}`);
    return { available: false, reason: `${setpriv} does not support --pdeathsig (${detail})` };
  }
  return { available: true, setpriv };
}
