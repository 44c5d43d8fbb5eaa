/**
 * What a request handler gets: the requesting client, its parsed message and URI, and the realtime
 * dependencies. Handlers return the body of the `STATUS 200` reply and, optionally, work to do after the
 * reply was sent (OpenTok.js expects the reply before the events it causes).
 */
import type { RaptorMessage, RaptorUri } from '@parley/protocol';
import type { IceServer } from '../../sfu/types.js';
import type { Store } from '../../store/types.js';
import type { RumorClient } from '../gateway/rumor-client.js';
import type { RealtimeLogger } from '../logger.js';
import type { LiveSession } from '../session/live-session.js';
import type { LiveSessionRegistry } from '../session/registry.js';
import type { LiveConnection } from '../session/types.js';

/** The dependencies shared by every handler. */
export interface HandlerDeps {
  store: Store;
  registry: LiveSessionRegistry;
  /** The ICE servers clients use for their peer connections (possibly empty). */
  iceServers: () => IceServer[];
  logger: RealtimeLogger;
  now: () => number;
}

/** One request. */
export interface RequestContext {
  client: RumorClient;
  message: RaptorMessage;
  uri: RaptorUri;
  headers: Readonly<Record<string, string>>;
  deps: HandlerDeps;
}

/** A request from a client that has created its connection. */
export interface BoundRequestContext extends RequestContext {
  session: LiveSession;
  connection: LiveConnection;
}

/** What a handler returns: the reply body and work to run once the reply was sent. */
export interface HandlerResult {
  body?: Record<string, unknown>;
  after?: () => void;
}

/** A handler of one resource and method. */
export type Handler<C extends RequestContext = BoundRequestContext> = (
  context: C,
) => HandlerResult | undefined | Promise<HandlerResult | undefined>;
