/**
 * The parent side of one SFU worker process: spawns it, correlates calls with results, routes its events
 * to the mirrors of its entities, and reports its exit. A crashed worker rejects every pending call with
 * an `SfuError` (`INTERNAL`).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TypedEmitter } from '@parley/events';
import { SFU_ERRORS, SfuError, type SfuErrorCode } from '../errors.js';
import type { ConsumerStats, ProducerStats } from '../types.js';
import type { WorkerInit, WorkerMessage, WorkerStatsMessage, WorkerUsage } from './protocol.js';
import { forEachBatchedPacket } from './rtp-batch.js';

/** The worker's entry: TypeScript, run through tsx's loader like the rest of the server. */
const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * The size of V8's young generation in a worker, in MiB per semi-space (V8's `--max-semi-space-size`).
 *
 * Forwarding allocates ≈ 5 KB of short-lived objects per packet received (mostly werift's header parsing
 * and buffer views: SFU-PROFILE.md §8), ≈ 25 MB/s at 64 one-to-one streams. With Node's defaults V8 grows
 * the semi-spaces up to 64 MiB each under that rate, and the young generation's 128 MiB — nearly all of it
 * garbage between scavenges — was three quarters of the worker's RSS growth (≈ 1.75 of 2.3 MB per
 * forwarded stream at 1:1 × 64). Capped at 8 MiB (16 MiB in all) it stops growing beyond a few streams.
 * Scavenges become more frequent but each copies only the live objects: with the history keeping copies
 * (`rtp-history.ts`) and werift's header parsing patched to allocate less, back-to-back runs at 1:1 × 64
 * gave the same packets per core-second with 8 as with 16 MiB (11,200–11,300 vs 10,100–11,300) and
 * 0.84–0.85 instead of 1.01–1.03 MB per forwarded stream (`workerExecArgv` overrides this).
 */
export const WORKER_SEMI_SPACE_MIB = 8;

/**
 * Node.js flags every worker starts with, before the pool's `workerExecArgv` (a later occurrence of the
 * same flag there overrides these).
 */
export const WORKER_DEFAULT_EXEC_ARGV: readonly string[] = [`--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`];

/** How long a new worker may take to come up before the start fails. */
const READY_TIMEOUT_MS = 15_000;

/** The parent-side copy of a worker entity: it hears that entity's events and counters. */
export interface Mirror {
  /** An event the worker-side entity emitted. */
  workerEvent(event: string, args: unknown[]): void;
  /** Fresh counters (producers and consumers only). */
  workerStats?(stats: ProducerStats | ConsumerStats): void;
  /** A packet of a tapped producer (producers only); a view into the batch, valid during the call. */
  workerRtp?(packet: Buffer): void;
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the pool asked it to stop; false for a crash or a kill from outside. */
  expected: boolean;
}

/** Events of a {@link WorkerProcess}. */
export type WorkerProcessEvents = {
  /** The process ended. Emitted once, after every pending call was rejected. */
  exit: [exit: WorkerExit];
};

interface Pending {
  resolve(value: unknown): void;
  reject(error: SfuError): void;
}

/** One running worker process. */
export class WorkerProcess extends TypedEmitter<WorkerProcessEvents> {
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  readonly #mirrors = new Map<string, Mirror>();
  #nextId = 1;
  #tappedPackets = 0;
  #usage: WorkerUsage | undefined;
  #exited = false;
  #stopping = false;
  #stopped: Promise<void> | null = null;

  private constructor(child: ChildProcess, pid: number) {
    super();
    this.#child = child;
    this.pid = pid;
    child.on('message', (message: WorkerMessage) => this.#onMessage(message));
    child.on('exit', (code, signal) => this.#onExit(code, signal));
  }

  /** Spawns a worker and resolves once its engine is ready. */
  static start(init: WorkerInit): Promise<WorkerProcess> {
    const child = fork(WORKER_ENTRY, [JSON.stringify(init)], {
      execArgv: ['--import', TSX_LOADER, ...WORKER_DEFAULT_EXEC_ARGV, ...(init.execArgv ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const fail = (reason: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new SfuError('INTERNAL', `The SFU worker did not start: ${reason}`));
      };
      const timer = setTimeout(() => fail(`no answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      child.once('error', (error) => fail(error.message));
      child.once('exit', (code, signal) => fail(`it exited (code ${code}, signal ${signal})`));
      child.once('message', (message: WorkerMessage) => {
        if (message.type !== 'ready') return fail(`unexpected first message ${message.type}`);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        child.on('error', () => {
          // A failed send to a dying worker; its exit is reported through 'exit'.
        });
        resolve(new WorkerProcess(child, message.pid));
      });
    });
  }

  /** Whether the process has ended. */
  get exited(): boolean {
    return this.#exited;
  }

  /** The last usage the worker reported (undefined before its first report). */
  get usage(): WorkerUsage | undefined {
    return this.#usage;
  }

  /** How many tapped RTP packets this worker sent to the parent (for tests and metrics). */
  get tappedPackets(): number {
    return this.#tappedPackets;
  }

  /** How many entities of this worker are open: the placement weight. */
  get entityCount(): number {
    return this.#mirrors.size;
  }

  /** Calls `method` on the worker entity `target`; rejects with the worker's `SfuError`. */
  call<T>(target: string, method: string, args: unknown[] = []): Promise<T> {
    if (this.#exited) return Promise.reject(workerGone());
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ type: 'call', id, target, method, args });
    });
  }

  /**
   * Calls without waiting: for the synchronous methods of the engine interface (pause, close, …). A
   * failure can only mean the entity or the worker is already gone, which the mirrors learn separately.
   */
  notify(target: string, method: string, args: unknown[] = []): void {
    this.call(target, method, args).catch(() => undefined);
  }

  /** Routes the events and counters of entity `id` to `mirror` until {@link forget}. */
  register(id: string, mirror: Mirror): void {
    this.#mirrors.set(id, mirror);
  }

  /** Stops routing to the mirror of `id` (it closed). */
  forget(id: string): void {
    this.#mirrors.delete(id);
  }

  /** Asks the worker for fresh counters and usage, and applies them to the mirrors. */
  async sample(): Promise<WorkerUsage> {
    const stats = await this.call<WorkerStatsMessage>('engine', 'stats');
    this.#applyStats(stats);
    return stats.usage;
  }

  /** Kills the process (tests simulate a crash with this). The exit is reported as unexpected. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#child.kill(signal);
  }

  /** Stops the worker: it closes its engine and exits. Resolves when it has. */
  stop(): Promise<void> {
    if (this.#exited) return Promise.resolve();
    // A second stop (close() then closeAndWait()) waits for the first: the worker is already
    // disconnected, and killing it would lose what it writes on its way out (e.g. --cpu-prof profiles).
    if (this.#stopped) return this.#stopped;
    this.#stopping = true;
    const exited = new Promise<void>((resolve) => this.once('exit', () => resolve()));
    if (this.#child.connected) this.#child.disconnect();
    else this.#child.kill('SIGKILL');
    // A worker stuck in a busy loop would never see the disconnect.
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    timer.unref();
    this.#stopped = exited.finally(() => clearTimeout(timer));
    return this.#stopped;
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'result': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(toSfuError(message.error.code, message.error.message));
        return;
      }
      case 'event':
        this.#mirrors.get(message.target)?.workerEvent(message.event, message.args);
        return;
      case 'stats':
        this.#applyStats(message);
        return;
      case 'rtp':
        this.#tappedPackets += message.lengths.length;
        forEachBatchedPacket(message, (producerId, packet) =>
          this.#mirrors.get(producerId)?.workerRtp?.(packet),
        );
        return;
      case 'ready':
        return;
    }
  }

  #applyStats(stats: WorkerStatsMessage): void {
    this.#usage = stats.usage;
    for (const [id, value] of Object.entries(stats.producers)) this.#mirrors.get(id)?.workerStats?.(value);
    for (const [id, value] of Object.entries(stats.consumers)) this.#mirrors.get(id)?.workerStats?.(value);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) return;
    this.#exited = true;
    for (const pending of this.#pending.values()) pending.reject(workerGone());
    this.#pending.clear();
    this.emit('exit', { code, signal, expected: this.#stopping });
  }
}

function workerGone(): SfuError {
  return new SfuError('INTERNAL', 'The SFU worker hosting this session exited');
}

function toSfuError(code: string, message: string): SfuError {
  const known = Object.hasOwn(SFU_ERRORS, code) ? (code as SfuErrorCode) : 'INTERNAL';
  return new SfuError(known, message);
}
