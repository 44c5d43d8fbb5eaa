/**
 * The engine and its routers (one per routed session). Part of the engine interface described in
 * `../types.ts`.
 */
import type { EventSource, IceServer } from './common.js';
import type { SfuEngineOptions } from './engine-options.js';
import type {
  PublisherTransport,
  PublisherTransportOptions,
  SubscriberTransport,
  SubscriberTransportOptions,
} from './transports.js';

/** Events of a {@link Router}. */
export type RouterEvents = {
  /** The router closed (for any reason). Emitted once. */
  close: [];
  /**
   * The worker process hosting the router died (multi-worker engines only). Emitted before `close`; the
   * session's transports close with `routerclose`. The gateway ends the session's connections with the
   * reason `networkDisconnected`, so clients reconnect and land on a healthy worker.
   */
  workerclose: [];
};

/** The media of one routed session. */
export interface Router extends EventSource<RouterEvents> {
  readonly id: string;
  readonly sessionId: string;
  readonly closed: boolean;
  /** Creates the transport a publisher sends a stream on. */
  createPublisherTransport(options: PublisherTransportOptions): Promise<PublisherTransport>;
  /** Creates the transport a subscriber receives a stream on, with one consumer per producer. */
  createSubscriberTransport(options: SubscriberTransportOptions): Promise<SubscriberTransport>;
  /** Closes every transport of the session. Idempotent. */
  close(): void;
}

/** Events of an {@link SfuEngine}. */
export type SfuEngineEvents = {
  /** The engine closed. */
  close: [];
};

/** An SFU engine: places routers (sessions) on its workers. */
export interface SfuEngine extends EventSource<SfuEngineEvents> {
  /** The engine's name (`werift`, later `mediasoup`). */
  readonly name: string;
  /** The ICE servers to hand to clients (from {@link SfuEngineOptions.iceServers}). */
  readonly iceServers: readonly IceServer[];
  /** Whether publishers of routed sessions are asked for simulcast ({@link SfuEngineOptions.simulcast}). */
  readonly simulcast: boolean;
  readonly closed: boolean;
  /** Creates the router of a session. Rejects when the session already has an open router. */
  createRouter(options: { sessionId: string }): Promise<Router>;
  /** The open router of a session, if any. */
  getRouter(sessionId: string): Router | undefined;
  /** Closes every router. Idempotent. */
  close(): void;
}
