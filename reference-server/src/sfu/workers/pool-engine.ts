/**
 * The multi-worker engine: one werift worker process per core behind the {@link SfuEngine} interface.
 * Each session (router) lives on one worker, chosen as the least loaded when the router is created. A
 * worker that dies takes only its sessions with it: their routers emit `workerclose` and close, and a
 * new worker takes its place.
 */
import { availableParallelism } from 'node:os';
import { TypedEmitter } from '@parley/events';
import { SfuError } from '../errors.js';
import { type ResolvedSfuEngineOptions, resolveSfuEngineOptions } from '../options.js';
import type { IceServer, PortRange, Router, SfuEngine, SfuEngineEvents, SfuEngineOptions } from '../types.js';
import { ENGINE_TARGET, type RouterInfo, type WorkerUsage } from './protocol.js';
import { RemoteRouter } from './remote-router.js';
import { type WorkerExit, WorkerProcess } from './worker-process.js';

/** Options of a {@link WorkerPoolEngine}. */
export interface WorkerPoolOptions extends SfuEngineOptions {
  /** How many worker processes. Default: the number of cores (`os.availableParallelism()`). */
  workers?: number;
  /** How often workers report counters and usage, in milliseconds (10–60 000). Default 1000. */
  statsIntervalMs?: number;
  /** Extra Node.js flags for the worker processes, e.g. `['--cpu-prof']` to profile them. Default none. */
  workerExecArgv?: string[];
}

/** One worker's usage, as {@link WorkerPoolEngine.sampleWorkers} reports it. */
export interface WorkerSample extends WorkerUsage {
  /** The slot (0 … workers − 1); a replacement takes the slot of the worker it replaces. */
  slot: number;
  pid: number;
}

/** Events of the pool beyond those of every engine. */
export type WorkerPoolEvents = SfuEngineEvents & {
  /** A worker exited unexpectedly; its routers were closed with `workerclose`. */
  workerexit: [slot: number, exit: WorkerExit];
  /** A worker (first or replacement) is ready in a slot. */
  workerready: [slot: number, pid: number];
  /** A replacement worker could not start; the pool retries after a pause. */
  workererror: [slot: number, error: Error];
};

/** How long to wait before trying again to replace a worker that failed to start. */
const RESPAWN_DELAY_MS = 1000;

/** An SFU engine spreading sessions over worker processes. */
export class WorkerPoolEngine extends TypedEmitter<WorkerPoolEvents> implements SfuEngine {
  readonly name = 'werift';
  readonly #options: ResolvedSfuEngineOptions;
  readonly #statsIntervalMs: number;
  readonly #execArgv: readonly string[];
  readonly #slots: (WorkerProcess | undefined)[];
  readonly #routers = new Map<string, RemoteRouter>();
  readonly #ready: Promise<void>;
  #closed = false;

  /** Throws an `SfuError` (`INVALID_ARGUMENT`) naming the bad option. Workers start at once. */
  constructor(options: WorkerPoolOptions = {}) {
    super();
    const {
      workers = availableParallelism(),
      statsIntervalMs = 1000,
      workerExecArgv = [],
      ...engine
    } = options;
    if (!Array.isArray(workerExecArgv) || !workerExecArgv.every((arg) => typeof arg === 'string')) {
      throw new SfuError('INVALID_ARGUMENT', 'workerExecArgv must be an array of strings');
    }
    this.#execArgv = [...workerExecArgv];
    this.#options = resolveSfuEngineOptions(engine);
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
      throw new SfuError('INVALID_ARGUMENT', `workers must be an integer from 1 to 256, got ${workers}`);
    }
    if (!Number.isInteger(statsIntervalMs) || statsIntervalMs < 10 || statsIntervalMs > 60_000) {
      throw new SfuError(
        'INVALID_ARGUMENT',
        `statsIntervalMs must be an integer from 10 to 60000, got ${statsIntervalMs}`,
      );
    }
    const portRange = this.#options.portRange;
    if (portRange && portRange.max - portRange.min + 1 < workers) {
      throw new SfuError('INVALID_ARGUMENT', `portRange must hold at least one port per worker (${workers})`);
    }
    this.#statsIntervalMs = statsIntervalMs;
    this.#slots = Array.from({ length: workers }, () => undefined);
    this.#ready = Promise.all(this.#slots.map((_, slot) => this.#spawn(slot))).then(() => undefined);
    // A failed start rejects createRouter; it must not also be an unhandled rejection.
    this.#ready.catch(() => undefined);
  }

  get iceServers(): readonly IceServer[] {
    return this.#options.iceServers;
  }

  get simulcast(): boolean {
    return this.#options.simulcast;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves when every worker has started; rejects when one could not. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** The running workers, by slot (a slot being refilled after a crash is absent). */
  get workers(): readonly { slot: number; pid: number }[] {
    return this.#slots.flatMap((worker, slot) =>
      worker && !worker.exited ? [{ slot, pid: worker.pid }] : [],
    );
  }

  async createRouter({ sessionId }: { sessionId: string }): Promise<Router> {
    this.#assertOpen();
    if (typeof sessionId !== 'string' || sessionId.length === 0) {
      throw new SfuError('INVALID_ARGUMENT', 'sessionId must be a non-empty string');
    }
    if (this.#routers.has(sessionId))
      throw new SfuError('INVALID_STATE', `Session ${sessionId} already has a router`);
    await this.#ready;
    this.#assertOpen();
    const worker = this.#leastLoaded();
    const info = await worker.call<RouterInfo>(ENGINE_TARGET, 'createRouter', [sessionId]);
    // Two concurrent creations for one session: the second loses, and its worker router goes away.
    if (this.#closed || this.#routers.has(sessionId)) {
      worker.notify(info.id, 'close');
      this.#assertOpen();
      throw new SfuError('INVALID_STATE', `Session ${sessionId} already has a router`);
    }
    const router = new RemoteRouter(worker, info);
    this.#routers.set(sessionId, router);
    router.once('@close', () => this.#routers.delete(sessionId));
    return router;
  }

  getRouter(sessionId: string): Router | undefined {
    return this.#routers.get(sessionId);
  }

  /** Fresh usage of every running worker; also refreshes the mirrored producer and consumer counters. */
  async sampleWorkers(): Promise<WorkerSample[]> {
    const running = this.#slots.flatMap((worker, slot) =>
      worker && !worker.exited ? [{ worker, slot }] : [],
    );
    return Promise.all(
      running.map(async ({ worker, slot }) => ({ ...(await worker.sample()), slot, pid: worker.pid })),
    );
  }

  /** Kills the worker in `slot` as a crash would (for tests and chaos drills). */
  killWorker(slot: number): void {
    const worker = this.#slots[slot];
    if (!worker) throw new SfuError('INVALID_ARGUMENT', `slot ${slot} has no running worker`);
    worker.kill('SIGKILL');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const router of [...this.#routers.values()]) router.close();
    this.#routers.clear();
    for (const worker of this.#slots) void worker?.stop();
    this.emit('close');
  }

  /** Closes the engine and resolves once every worker process has exited. */
  async closeAndWait(): Promise<void> {
    const workers = this.#slots.filter((w): w is WorkerProcess => w !== undefined);
    this.close();
    await Promise.all(workers.map((worker) => worker.stop()));
  }

  async #spawn(slot: number): Promise<void> {
    const worker = await WorkerProcess.start({
      engine: {
        ...this.#options,
        listenIps: [...this.#options.listenIps],
        iceServers: [...this.#options.iceServers],
        portRange: this.#portSlice(slot),
      },
      statsIntervalMs: this.#statsIntervalMs,
      execArgv: [...this.#execArgv],
    });
    if (this.#closed) {
      await worker.stop();
      return;
    }
    this.#slots[slot] = worker;
    worker.once('exit', (exit) => this.#onExit(slot, worker, exit));
    this.emit('workerready', slot, worker.pid);
  }

  #onExit(slot: number, worker: WorkerProcess, exit: WorkerExit): void {
    if (this.#slots[slot] === worker) this.#slots[slot] = undefined;
    if (exit.expected || this.#closed) return;
    for (const router of [...this.#routers.values()]) {
      if (router.worker === worker) router.workerClosed();
    }
    this.emit('workerexit', slot, exit);
    this.#respawn(slot);
  }

  #respawn(slot: number): void {
    this.#spawn(slot).catch((error: unknown) => {
      if (this.#closed) return;
      this.emit('workererror', slot, error instanceof Error ? error : new Error(String(error)));
      setTimeout(() => this.#closed || this.#respawn(slot), RESPAWN_DELAY_MS).unref();
    });
  }

  /** The open worker with the fewest entities; ties go to the one that used the least CPU. */
  #leastLoaded(): WorkerProcess {
    let best: WorkerProcess | undefined;
    for (const worker of this.#slots) {
      if (!worker || worker.exited) continue;
      if (!best || compareLoad(worker, best) < 0) best = worker;
    }
    if (!best) throw new SfuError('INTERNAL', 'No SFU worker is running (one is being replaced)');
    return best;
  }

  /** Each worker binds to its own share of the configured port range (they cannot share a port). */
  #portSlice(slot: number): PortRange | undefined {
    const range = this.#options.portRange;
    if (!range) return undefined;
    const size = Math.floor((range.max - range.min + 1) / this.#slots.length);
    const min = range.min + slot * size;
    // A one-port share cannot satisfy `max > min`; such a pool only fits a test configuration.
    return { min, max: Math.max(min + size - 1, min + 1) };
  }

  #assertOpen(): void {
    if (this.#closed) throw new SfuError('INVALID_STATE', 'The SFU engine is closed');
  }
}

function compareLoad(a: WorkerProcess, b: WorkerProcess): number {
  const byEntities = a.entityCount - b.entityCount;
  if (byEntities !== 0) return byEntities;
  const cpu = (w: WorkerProcess): number => (w.usage ? w.usage.cpuUserMicros + w.usage.cpuSystemMicros : 0);
  return cpu(a) - cpu(b);
}
