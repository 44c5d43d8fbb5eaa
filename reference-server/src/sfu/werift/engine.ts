/**
 * The werift engine: every router in this process. werift is pure TypeScript, so one engine is one core;
 * a multi-worker engine (one worker thread or child process per core, sessions placed on the least-loaded
 * one) implements the same {@link SfuEngine} interface over IPC.
 */
import { TypedEmitter } from '@parley/events';
import { SfuError } from '../errors.js';
import { selectDatapath } from '../native/datapath.js';
import { type ResolvedSfuEngineOptions, resolveSfuEngineOptions } from '../options.js';
import type { IceServer, Router, SfuEngine, SfuEngineEvents, SfuEngineOptions } from '../types.js';
import { WeriftRouter } from './router.js';
import type { SharedPortStats } from './shared-port.js';
import { SharedPorts } from './shared-ports.js';

/** An SFU engine running werift in this process. */
export class WeriftEngine extends TypedEmitter<SfuEngineEvents> implements SfuEngine {
  readonly name = 'werift';
  readonly #options: ResolvedSfuEngineOptions;
  readonly #routers = new Map<string, WeriftRouter>();
  #closed = false;
  /** The engine's shared UDP ports (`sharedPort`), bound when the first router is created. */
  readonly #sharedPorts: SharedPorts | undefined;

  /** Throws an `SfuError` (`INVALID_ARGUMENT`) naming the bad option. */
  constructor(options: SfuEngineOptions = {}) {
    super();
    const resolved = resolveSfuEngineOptions(options);
    this.#sharedPorts = resolved.sharedPort ? new SharedPorts(resolved) : undefined;
    this.#options = this.#sharedPorts
      ? { ...resolved, iceTransportFactory: this.#sharedPorts.transportFactory }
      : resolved;
    // Fails now, with the reason, when `native` was asked for and the addon cannot be used.
    this.datapath = selectDatapath(this.#options.datapath) === undefined ? 'javascript' : 'native';
  }

  /** The datapath forwarded packets take in this process (see `SfuEngineOptions.datapath`). */
  readonly datapath: 'native' | 'javascript';

  get iceServers(): readonly IceServer[] {
    return this.#options.iceServers;
  }

  get simulcast(): boolean {
    return this.#options.simulcast;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async createRouter({ sessionId }: { sessionId: string }): Promise<Router> {
    if (this.#closed) throw new SfuError('INVALID_STATE', 'The SFU engine is closed');
    if (typeof sessionId !== 'string' || sessionId.length === 0) {
      throw new SfuError('INVALID_ARGUMENT', 'sessionId must be a non-empty string');
    }
    // The shared ports are bound now, so that a port range with no free port fails here, naming it,
    // rather than as peer connections without candidates later.
    if (this.#sharedPorts) {
      await Promise.all(this.#options.listenIps.map((ip) => this.#sharedPorts?.portFor(ip)));
      if (this.#closed) throw new SfuError('INVALID_STATE', 'The SFU engine is closed');
    }
    if (this.#routers.has(sessionId)) {
      throw new SfuError('INVALID_STATE', `Session ${sessionId} already has a router`);
    }
    const router = new WeriftRouter(sessionId, this.#options);
    this.#routers.set(sessionId, router);
    router.on('@close', () => this.#routers.delete(sessionId));
    return router;
  }

  /**
   * The engine's shared UDP ports (`sharedPort`) and their counters: one per listen address (one for the
   * wildcard); none before the first router, or with `sharedPort` off.
   */
  async sharedPortStats(): Promise<(SharedPortStats & { port: number })[]> {
    const ports = (await this.#sharedPorts?.ports()) ?? [];
    return ports.map((port) => ({ port: port.port, ...port.stats }));
  }

  getRouter(sessionId: string): Router | undefined {
    return this.#routers.get(sessionId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const router of [...this.#routers.values()]) router.close();
    this.#routers.clear();
    this.#sharedPorts?.close();
    this.emit('close');
  }
}
