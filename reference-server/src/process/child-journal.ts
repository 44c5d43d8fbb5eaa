/**
 * The journal of running media children (`child-processes.json` in the data directory) and the
 * start-up reaper that reads it: the second layer behind `setpriv --pdeathsig` (see
 * `child-processes.ts`), for a server of an older version, a machine without `setpriv`, or anything
 * else that left an ffmpeg running after its server died.
 *
 * The journal names its owner (the server's PID and start time) and each child (PID, start time,
 * executable). At start-up, a child is killed only when its owner is dead and `/proc` still shows the
 * same process: same start time (so a recycled PID is never touched) and the same executable. Linux
 * only, like `/proc`; elsewhere nothing is journaled.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ChildRecord, ChildTracker } from './child-processes.js';
import { isSameLiveProcess, readProcessIdentity } from './process-identity.js';

/** The journal's file name inside the data directory. */
export const CHILD_JOURNAL_FILE = 'child-processes.json';

/** Where the journal and the reaper report. pino's loggers fit. */
export interface ChildLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** The journal file's content. */
interface JournalFile {
  version: 1;
  /** The server process whose children these are. */
  owner: { pid: number; startTime: number };
  children: ChildRecord[];
}

/** What {@link reapLeftoverChildren} did. */
export interface ReapResult {
  /** The leftover children it sent SIGKILL. */
  killed: ChildRecord[];
}

/**
 * Kills (SIGKILL) the children recorded in the journal `file` by a server that is no longer running,
 * when `/proc` shows they are still the same processes (start time and executable). A missing journal
 * is nothing to do; an unreadable or malformed one is reported as a warning and ignored. Does not
 * change the file.
 */
export async function reapLeftoverChildren(file: string, logger: ChildLogger): Promise<ReapResult> {
  const killed: ChildRecord[] = [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn({ file, error: (error as Error).message }, 'Could not read the child-process journal');
    }
    return { killed };
  }
  const journal = parseJournal(text);
  if (typeof journal === 'string') {
    logger.warn({ file, problem: journal }, 'Ignoring a malformed child-process journal');
    return { killed };
  }
  if (isSameLiveProcess(journal.owner.pid, journal.owner.startTime)) {
    // Its children are alive because their server is: they are not leftovers. (This process itself
    // when a server is started again in the same process, e.g. in tests.)
    if (journal.owner.pid !== process.pid) {
      logger.warn(
        { file, ownerPid: journal.owner.pid },
        'The child-process journal belongs to another running server using this data directory',
      );
    }
    return { killed };
  }
  for (const child of journal.children) {
    // Never init or this process, whatever a hand-edited journal says.
    if (child.pid === 1 || child.pid === process.pid) continue;
    const identity = readProcessIdentity(child.pid);
    if (identity === null || identity.state === 'Z') continue;
    if (identity.startTime !== child.startTime || !sameExecutable(identity.executable, child.command)) {
      logger.debug(
        { pid: child.pid, command: child.command },
        'Recorded child PID now belongs to another process',
      );
      continue;
    }
    try {
      process.kill(child.pid, 'SIGKILL');
      killed.push(child);
      logger.warn(
        { pid: child.pid, command: child.command, ownerPid: journal.owner.pid },
        'Killed a media process left running by a previous server',
      );
    } catch (error) {
      // Exited in between (ESRCH), or not ours to signal (EPERM): either way nothing to reap.
      logger.debug({ pid: child.pid, error: (error as Error).message }, 'Could not kill a leftover child');
    }
  }
  return { killed };
}

/**
 * The journal of this process's children in `file`: a {@link ChildTracker} that rewrites the file
 * (atomically, write then rename) after every start and end, so it is never more than one write behind.
 * Write failures are logged, never thrown: the journal is a safety net, not a reason to fail a spawn.
 */
export class ChildJournal implements ChildTracker {
  readonly #file: string;
  readonly #logger: ChildLogger;
  readonly #owner: JournalFile['owner'];
  readonly #children = new Map<number, ChildRecord>();
  #version = 0;
  #written = -1;
  #queue: Promise<void> = Promise.resolve();

  /** A journal owned by this process; null where `/proc` is missing (not Linux): nothing to journal. */
  static create(file: string, logger: ChildLogger): ChildJournal | null {
    const self = readProcessIdentity(process.pid);
    return self === null
      ? null
      : new ChildJournal(file, logger, { pid: self.pid, startTime: self.startTime });
  }

  private constructor(file: string, logger: ChildLogger, owner: JournalFile['owner']) {
    this.#file = file;
    this.#logger = logger;
    this.#owner = owner;
  }

  /** The children recorded now. */
  get children(): ChildRecord[] {
    return [...this.#children.values()];
  }

  childStarted(child: ChildRecord): void {
    this.#children.set(child.pid, child);
    this.#changed();
  }

  childEnded(pid: number): void {
    if (this.#children.delete(pid)) this.#changed();
  }

  /** Writes the current state (even when empty: this replaces a previous server's journal). */
  save(): Promise<void> {
    this.#changed();
    return this.flush();
  }

  /** Resolves once the file holds every change made so far. */
  flush(): Promise<void> {
    return this.#queue;
  }

  /** Removes the file (after a clean shutdown with no child left). */
  async remove(): Promise<void> {
    await this.flush();
    await rm(this.#file, { force: true });
  }

  #changed(): void {
    this.#version++;
    // Writes run one at a time; a write that finds the file up to date is skipped, so a burst of
    // changes costs at most two writes.
    this.#queue = this.#queue.then(() => this.#write());
  }

  async #write(): Promise<void> {
    if (this.#written === this.#version) return;
    const version = this.#version;
    const content: JournalFile = { version: 1, owner: this.#owner, children: this.children };
    const temporary = `${this.#file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`);
      await rename(temporary, this.#file);
      this.#written = version;
    } catch (error) {
      this.#logger.warn(
        { file: this.#file, error: (error as Error).message },
        'Could not write the child-process journal',
      );
    }
  }
}

/** `argv[0]` of a live process against the recorded command (`ffmpeg` vs `/usr/bin/ffmpeg` match). */
function sameExecutable(executable: string, command: string): boolean {
  return executable !== '' && (executable === command || basename(executable) === basename(command));
}

/** The parsed journal, or what is wrong with it. */
function parseJournal(text: string): JournalFile | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof value !== 'object' || value === null) return 'not an object';
  const journal = value as Record<string, unknown>;
  if (journal.version !== 1) return `unknown version ${JSON.stringify(journal.version)}`;
  const owner = journal.owner as Record<string, unknown> | null | undefined;
  if (typeof owner !== 'object' || owner === null || !isPid(owner.pid) || !isTicks(owner.startTime)) {
    return '`owner` must be {pid, startTime}';
  }
  if (!Array.isArray(journal.children)) return '`children` must be an array';
  const children: ChildRecord[] = [];
  for (const [index, item] of journal.children.entries()) {
    const child = item as Record<string, unknown> | null;
    if (
      typeof child !== 'object' ||
      child === null ||
      !isPid(child.pid) ||
      !isTicks(child.startTime) ||
      typeof child.command !== 'string' ||
      child.command === ''
    ) {
      return `\`children[${index}]\` must be {pid, startTime, command}`;
    }
    children.push({ pid: child.pid, startTime: child.startTime, command: child.command });
  }
  return { version: 1, owner: { pid: owner.pid, startTime: owner.startTime }, children };
}

function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isTicks(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
