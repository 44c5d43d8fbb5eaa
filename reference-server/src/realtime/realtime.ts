/**
 * The realtime layer of the reference server, assembled: the live-session registry, the signaling
 * gateway on the HTTP server's upgrade path, and the media bridges (relayed relay, routed SFU).
 *
 * @example
 * ```ts
 * const realtime = createRealtime({ store, logger: app.log, sfu: createSfuEngine({ listenIps: ['127.0.0.1'] }) });
 * realtime.attach(app.server);
 * // …
 * await realtime.close();
 * ```
 */
import type { Server } from 'node:http';
import type { ArchiveNotifier, MediaSourceProvider } from '../recording/media-source.js';
import type { IceServer, SfuEngine } from '../sfu/types.js';
import type { Store } from '../store/types.js';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits, SignalingGateway } from './gateway/gateway.js';
import type { HandlerDeps } from './handlers/context.js';
import { type RealtimeLogger, silentLogger } from './logger.js';
import { RelayedMedia } from './media/relayed.js';
import { RoutedMedia } from './media/routed.js';
import type { MediaBridge } from './media/types.js';
import { UnavailableMedia } from './media/unavailable.js';
import { LiveArchiveNotifier } from './recording/archive-notifier.js';
import { LiveMediaSources } from './recording/media-sources.js';
import type { LiveSession } from './session/live-session.js';
import { LiveSessionRegistry } from './session/registry.js';

/** Options of {@link createRealtime}. */
export interface RealtimeOptions {
  store: Store;
  /** Default: silent. */
  logger?: RealtimeLogger;
  /**
   * STUN/TURN servers handed to clients in session info and with every peer connection. Default: the SFU
   * engine's `iceServers`, else `[]`.
   */
  iceServers?: readonly IceServer[];
  /** The SFU engine that carries routed sessions' media. Its owner closes it. */
  sfu?: SfuEngine;
  /** Gateway limits and timers; see {@link DEFAULT_GATEWAY_LIMITS}. */
  limits?: Partial<GatewayLimits>;
  /** The most connections one session accepts. Default 3000. */
  maxConnectionsPerSession?: number;
  /**
   * Builds the media bridge of a routed session; overrides `sfu` (tests pass fakes). Without either,
   * publishing in a routed session is refused with status 503, since no server could carry its media.
   */
  routedMedia?: (session: LiveSession) => MediaBridge;
  /** The clock (ms since the epoch). Default `Date.now`. */
  now?: () => number;
  /**
   * How long a session's media source outlives its last client, so recordings continue on it when
   * clients return. Keep it above the recording managers' idle stop (60 s). Default 120 000.
   */
  mediaSourceLingerMs?: number;
}

/** The assembled realtime layer. */
export interface Realtime {
  readonly registry: LiveSessionRegistry;
  readonly gateway: SignalingGateway;
  /** The ICE servers handed to clients. */
  readonly iceServers: readonly IceServer[];
  /** Whether routed sessions ask publishers for simulcast (the SFU engine's `simulcast` option). */
  readonly simulcast: boolean;
  /** The live media of routed sessions, for the archive and broadcast managers. */
  readonly mediaSources: MediaSourceProvider;
  /** Tells clients which archives record their session (`archiveStarted` / `archiveStopped`). */
  readonly archiveNotifier: ArchiveNotifier;
  /**
   * Ends the live sessions of a project that was suspended or deleted: every client gets
   * `sessionDisconnected` (connection deleted with `forceDisconnected`). Returns how many sessions ended.
   */
  disconnectProject(applicationId: string): number;
  /** Routes the server's WebSocket upgrades on the signaling paths to the gateway. */
  attach(server: Server): void;
  /** Ends every session (`forceDisconnected`) and closes every socket. */
  close(): Promise<void>;
}

/** Assembles the realtime layer. */
export function createRealtime(options: RealtimeOptions): Realtime {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const iceServers = [...(options.iceServers ?? options.sfu?.iceServers ?? [])];
  const sfu = options.sfu;
  const registry = new LiveSessionRegistry({
    maxConnectionsPerSession: options.maxConnectionsPerSession,
    now,
    createMedia: (session) => {
      if (session.mediaMode === 'relayed') return new RelayedMedia(session);
      if (options.routedMedia) return options.routedMedia(session);
      if (sfu) return new RoutedMedia(session, sfu, logger);
      return new UnavailableMedia();
    },
  });
  const deps: HandlerDeps = {
    store: options.store,
    registry,
    iceServers: () => iceServers.map((server) => ({ ...server })),
    logger,
    now,
  };
  const gateway = new SignalingGateway(deps, { ...DEFAULT_GATEWAY_LIMITS, ...options.limits });
  const mediaSources = new LiveMediaSources(registry, { lingerMs: options.mediaSourceLingerMs });
  const archiveNotifier = new LiveArchiveNotifier(registry);
  return {
    registry,
    gateway,
    iceServers,
    simulcast: sfu?.simulcast ?? false,
    mediaSources,
    archiveNotifier,
    disconnectProject: (applicationId) => registry.closeProject(applicationId),
    attach: (server) => gateway.attach(server),
    async close() {
      // Ending the sessions closes their media sources (recorders see `close`) before the sockets go.
      registry.close();
      mediaSources.close();
      archiveNotifier.close();
      await gateway.close();
    },
  };
}
