/**
 * What publishers and subscribers need from their session: its identity, the signaling requests, the
 * media handler and the encryption state. The session implements it; tests can too.
 */
import type { RaptorKey } from '@parley/protocol';
import type { E2eeContext } from '../e2ee/cryptor.js';
import { ErrorCode, type ErrorName, notConnected, RequestTimeoutError, toOperationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResolvedSessionOptions } from '../options.js';
import type { RaptorChannel, RaptorReply } from '../signaling/raptor-channel.js';
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

/** A Raptor request of the session, before it is framed. */
export interface SessionRequest {
  method: string;
  uri: string;
  content: Record<string, unknown>;
}

/**
 * Sends a request on the session's channel (`undefined` once disconnected). Timeouts and refusals become
 * the app-facing error `failure` describes; a missing channel is `OT_NOT_CONNECTED`.
 */
export async function sendRequest(
  channel: RaptorChannel | undefined,
  request: SessionRequest,
  failure: RequestFailure,
): Promise<RaptorReply> {
  if (!channel) throw notConnected(failure.operation);
  try {
    return await channel.request(request, {
      onTimeout: (ms) => new RequestTimeoutError(failure.code, failure.operation, ms),
    });
  } catch (error) {
    throw toOperationError(error, failure.code, failure.name, failure.operation);
  }
}

/**
 * Sends a request nobody waits for (candidates, offers, channel updates): a failure is logged at `debug`,
 * as the negotiation or the next update recovers from it.
 */
export function sendNotification(channel: RaptorChannel, request: SessionRequest, logger: Logger): void {
  sendRequest(channel, request, {
    code: ErrorCode.JsException,
    name: 'OT_CANCEL',
    operation: request.method,
  }).catch((error: unknown) =>
    logger.debug('request failed', { method: request.method, uri: request.uri, error: String(error) }),
  );
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
