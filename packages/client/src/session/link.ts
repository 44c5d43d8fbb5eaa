/**
 * What publishers and subscribers need from their session: its identity, the signaling requests, the
 * media handler and the encryption state. The session implements it; tests can too.
 */
import type { RaptorKey } from '@parley/protocol';
import type { E2eeContext } from '../e2ee/cryptor.js';
import type { ErrorCode, ErrorName } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResolvedSessionOptions } from '../options.js';
import type { RaptorReply } from '../signaling/raptor-channel.js';
import type { ClientSessionInfo } from '../signaling/session-info.js';

/** How a failed request is reported to the app. */
export interface RequestFailure {
  code: ErrorCode;
  name: ErrorName;
  /** The operation, for the message (`publish`, `subscribe`, …). */
  operation: string;
}

/** The session as its publishers and subscribers see it. */
export interface SessionLink {
  readonly sessionId: string;
  readonly connectionId: string;
  readonly info: ClientSessionInfo;
  readonly options: ResolvedSessionOptions;
  readonly logger: Logger;
  /** Set in end-to-end encrypted sessions. */
  readonly e2ee: E2eeContext | null;
  /** Builds a Raptor URI inside the session. */
  uri(...pairs: [RaptorKey, string][]): string;
  /** Sends a request; failures are converted with `failure`. */
  request(
    method: string,
    uri: string,
    content: Record<string, unknown>,
    failure: RequestFailure,
  ): Promise<RaptorReply>;
  /** Sends a request whose failure is only logged (candidates, channel updates). */
  notify(method: string, uri: string, content: Record<string, unknown>): void;
  /** A fresh UUID. */
  newId(): string;
}

/** The ICE servers of a create reply (`{content: {iceServers}}`), else the session's. */
export function iceServersOf(reply: RaptorReply, fallback: RTCIceServer[]): RTCIceServer[] {
  const content = reply.body?.content;
  if (
    typeof content === 'object' &&
    content !== null &&
    Array.isArray((content as { iceServers?: unknown }).iceServers)
  ) {
    const servers = (content as { iceServers: RTCIceServer[] }).iceServers;
    return servers.length > 0 ? servers : fallback;
  }
  return fallback;
}
