import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHILD_JOURNAL_FILE, type ChildLogger, reapLeftoverChildren } from './child-journal.js';
import { spawnChild } from './child-processes.js';
import { isSameLiveProcess, readProcessIdentity } from './process-identity.js';
import { type ChildSupervision, superviseChildProcesses } from './supervision.js';

/** A logger that keeps what it was told. */
function recordingLogger(): ChildLogger & { lines: Array<[string, string, object]> } {
  const lines: Array<[string, string, object]> = [];
  return {
    lines,
    debug: (details, message) => lines.push(['debug', message, details]),
    info: (details, message) => lines.push(['info', message, details]),
    warn: (details, message) => lines.push(['warn', message, details]),
  };
}

const running: ChildProcess[] = [];
const supervisions: ChildSupervision[] = [];
let directory: string;
let file: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-child-journal-'));
  file = join(directory, CHILD_JOURNAL_FILE);
});

afterEach(async () => {
  await Promise.all(
    running.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
  // A child's end still updates a journal kept at close: let that write land before removing the files.
  await Promise.all(supervisions.splice(0).map((supervision) => supervision.journal?.flush()));
  await rm(directory, { recursive: true, force: true });
});

/** Starts supervision in the test's directory, flushed after the test. */
async function supervise(logger: ChildLogger = recordingLogger()): Promise<ChildSupervision> {
  const supervision = await superviseChildProcesses(directory, logger);
  supervisions.push(supervision);
  return supervision;
}

/** A running `sleep` (not through spawnChild: the tests write its journal entry themselves). */
function startSleep(): { pid: number; startTime: number } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  running.push(child);
  const identity = readProcessIdentity(child.pid as number);
  if (!identity) throw new Error('sleep did not start');
  return { pid: identity.pid, startTime: identity.startTime };
}

/** The identity of a process that has exited: a dead server. */
async function deadOwner(): Promise<{ pid: number; startTime: number }> {
  const child = spawn('true', [], { stdio: 'ignore' });
  const identity = readProcessIdentity(child.pid as number);
  await new Promise((resolve) => child.once('exit', resolve));
  return { pid: child.pid as number, startTime: identity?.startTime ?? 0 };
}

async function waitGone(pid: number, startTime: number): Promise<boolean> {
  for (let i = 0; i < 100 && isSameLiveProcess(pid, startTime); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !isSameLiveProcess(pid, startTime);
}

describe.skipIf(process.platform !== 'linux')('reapLeftoverChildren', () => {
  it('kills a recorded child of a dead server when its start time and executable still match', async () => {
    const sleep = startSleep();
    const owner = await deadOwner();
    await writeFile(
      file,
      JSON.stringify({ version: 1, owner, children: [{ ...sleep, command: '/usr/bin/sleep' }] }),
    );
    const logger = recordingLogger();
    const result = await reapLeftoverChildren(file, logger);
    expect(result.killed).toEqual([{ ...sleep, command: '/usr/bin/sleep' }]);
    expect(await waitGone(sleep.pid, sleep.startTime)).toBe(true);
    expect(
      logger.lines.some(([level, message]) => level === 'warn' && /Killed a media process/.test(message)),
    ).toBe(true);
  });

  it('spares a PID whose start time differs (the PID was recycled) or whose executable differs', async () => {
    const recycled = startSleep();
    const otherProgram = startSleep();
    const owner = await deadOwner();
    const children = [
      { pid: recycled.pid, startTime: recycled.startTime + 1, command: 'sleep' },
      { pid: otherProgram.pid, startTime: otherProgram.startTime, command: 'ffmpeg' },
    ];
    await writeFile(file, JSON.stringify({ version: 1, owner, children }));
    const result = await reapLeftoverChildren(file, recordingLogger());
    expect(result.killed).toEqual([]);
    expect(isSameLiveProcess(recycled.pid, recycled.startTime)).toBe(true);
    expect(isSameLiveProcess(otherProgram.pid, otherProgram.startTime)).toBe(true);
  });

  it('spares the children of a server that is still running', async () => {
    const sleep = startSleep();
    const self = readProcessIdentity(process.pid);
    const owner = { pid: process.pid, startTime: self?.startTime };
    await writeFile(file, JSON.stringify({ version: 1, owner, children: [{ ...sleep, command: 'sleep' }] }));
    expect((await reapLeftoverChildren(file, recordingLogger())).killed).toEqual([]);
    expect(isSameLiveProcess(sleep.pid, sleep.startTime)).toBe(true);
  });

  it('does nothing, silently, without a journal', async () => {
    const logger = recordingLogger();
    expect(await reapLeftoverChildren(file, logger)).toEqual({ killed: [] });
    expect(logger.lines).toEqual([]);
  });

  it.each([
    ['not JSON', '{"version": 1, "owner": ', /not JSON/],
    [
      'an unknown version',
      '{"version": 2, "owner": {"pid": 5, "startTime": 1}, "children": []}',
      /unknown version 2/,
    ],
    ['no owner', '{"version": 1, "children": []}', /owner/],
    [
      'a bad child',
      '{"version": 1, "owner": {"pid": 5, "startTime": 1}, "children": [{"pid": "7"}]}',
      /children\[0\]/,
    ],
  ])('ignores a journal with %s, with a warning naming the problem', async (_, content, problem) => {
    await writeFile(file, content);
    const logger = recordingLogger();
    await expect(reapLeftoverChildren(file, logger)).resolves.toEqual({ killed: [] });
    expect(logger.lines).toEqual([
      [
        'warn',
        'Ignoring a malformed child-process journal',
        { file, problem: expect.stringMatching(problem) },
      ],
    ]);
  });
});

describe.skipIf(process.platform !== 'linux')('superviseChildProcesses', () => {
  it('reaps the previous journal, then journals the children started until it closes', async () => {
    const leftover = startSleep();
    const owner = await deadOwner();
    await writeFile(
      file,
      JSON.stringify({ version: 1, owner, children: [{ ...leftover, command: 'sleep' }] }),
    );
    const supervision = await supervise();
    try {
      expect(await waitGone(leftover.pid, leftover.startTime)).toBe(true);
      const self = readProcessIdentity(process.pid);
      const read = async () => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      // The previous server's entries are gone: they are never reaped twice.
      expect(await read()).toEqual({
        version: 1,
        owner: { pid: process.pid, startTime: self?.startTime },
        children: [],
      });

      const child = spawnChild('sleep', ['60'], { stdio: 'ignore' });
      running.push(child);
      const pid = child.pid as number;
      await supervision.journal?.flush();
      expect((await read()).children).toEqual([
        { pid, startTime: readProcessIdentity(pid)?.startTime, command: 'sleep' },
      ]);

      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await supervision.journal?.flush();
      expect((await read()).children).toEqual([]);
    } finally {
      await supervision.close();
    }
    // A clean stop with no child left leaves no journal behind.
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the journal at close while a child is still running, for the next start', async () => {
    const supervision = await supervise();
    const child = spawnChild('sleep', ['60'], { stdio: 'ignore' });
    running.push(child);
    await supervision.close();
    const journal = JSON.parse(await readFile(file, 'utf8')) as { children: Array<{ pid: number }> };
    expect(journal.children.map((entry) => entry.pid)).toEqual([child.pid]);
    // Started after close: not journaled.
    const later = spawnChild('sleep', ['60'], { stdio: 'ignore' });
    running.push(later);
    await supervision.journal?.flush();
    const after = JSON.parse(await readFile(file, 'utf8')) as { children: Array<{ pid: number }> };
    expect(after.children.map((entry) => entry.pid)).toEqual([child.pid]);
  });

  it('replaces a malformed journal instead of failing the start', async () => {
    await writeFile(file, 'garbage');
    const logger = recordingLogger();
    const supervision = await supervise(logger);
    await supervision.close();
    expect(logger.lines.map(([level, message]) => `${level}: ${message}`)).toContain(
      'warn: Ignoring a malformed child-process journal',
    );
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
