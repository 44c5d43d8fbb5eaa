/**
 * Signals: checking what the app sends (the limits the gateway enforces: `type` ≤ 128 characters of
 * `A-Z a-z 0-9 - _ . ~`, `data` ≤ 8192 characters) and turning received signals into events.
 */
import { checkSignal, type RaptorKey } from '@parley/protocol';
import { Connection } from '../Connection.js';
import { ErrorCode, ParleyClientError, RequestTimeoutError, toOperationError } from '../errors.js';
import type { SignalEvent } from '../events.js';
import type { RaptorChannel } from '../signaling/raptor-channel.js';

/** What `session.signal()` takes. */
export interface SignalOptions {
  /** The signal type; receivers also get a `signal:<type>` event. */
  type?: string;
  /** The payload (at most 8192 characters). */
  data?: string;
  /** One recipient; omitted: everyone in the session, the sender included. */
  to?: Connection | string;
  /**
   * Queue the signal while the client is reconnecting and send it once reconnected (default true); with
   * `false` it fails at once.
   */
  retryAfterReconnect?: boolean;
}

/** A checked signal. */
export interface CheckedSignal {
  type: string;
  data: string;
  to: string | null;
  retryAfterReconnect: boolean;
}

/** Checks a signal; throws `OT_UNABLE_TO_SIGNAL` (1510) with `status` 400 or 413 naming the field. */
export function checkSignalOptions(options: SignalOptions | undefined): CheckedSignal {
  const value = options ?? {};
  if (typeof value !== 'object' || value === null) throw signalError(400, 'options must be an object');
  const type = value.type ?? '';
  const data = value.data ?? '';
  const problem = checkSignal(type, data);
  if (problem) throw signalError(problem.kind === 'too-large' ? 413 : 400, problem.message);
  let to: string | null = null;
  if (value.to !== undefined) {
    if (value.to instanceof Connection) to = value.to.connectionId;
    else if (typeof value.to === 'string' && value.to !== '') to = value.to;
    else throw signalError(400, 'to must be a Connection or a connection ID');
  }
  if (value.retryAfterReconnect !== undefined && typeof value.retryAfterReconnect !== 'boolean') {
    throw signalError(400, 'retryAfterReconnect must be a boolean');
  }
  return { type, data, to, retryAfterReconnect: value.retryAfterReconnect ?? true };
}

/**
 * Sends a checked signal on `…/signal/{signalId}`, or `…/connection/{to}/signal/{signalId}` for one
 * recipient. While reconnecting it waits in the channel's queue unless `retryAfterReconnect` is false.
 * Rejects with `OT_UNABLE_TO_SIGNAL` carrying the server's status, `OT_NOT_CONNECTED` or `OT_TIMEOUT`.
 */
export async function sendSignal(
  channel: RaptorChannel,
  signal: CheckedSignal,
  uri: (...pairs: [RaptorKey, string][]) => string,
  signalId: string,
): Promise<void> {
  const pairs: [RaptorKey, string][] = signal.to
    ? [
        ['connection', signal.to],
        ['signal', signalId],
      ]
    : [['signal', signalId]];
  // OpenTok.js leaves empty fields out rather than sending empty strings.
  const content: Record<string, unknown> = {};
  if (signal.type !== '') content.type = signal.type;
  if (signal.data !== '') content.data = signal.data;
  try {
    await channel.request(
      { method: 'signal', uri: uri(...pairs), content },
      {
        failWhileReconnecting: !signal.retryAfterReconnect,
        onTimeout: (ms) => new RequestTimeoutError(ErrorCode.UnableToSignal, 'signal', ms),
      },
    );
  } catch (error) {
    const converted = toOperationError(error, ErrorCode.UnableToSignal, 'OT_UNABLE_TO_SIGNAL', 'signal');
    throw converted.name === 'OT_UNABLE_TO_SIGNAL' && converted.status !== undefined
      ? signalError(converted.status, converted.message, error)
      : converted;
  }
}

/** A signal failure with the OpenTok.js status. */
export function signalError(status: number, message: string, cause?: unknown): ParleyClientError {
  return new ParleyClientError(ErrorCode.UnableToSignal, 'OT_UNABLE_TO_SIGNAL', `signal: ${message}`, {
    status,
    cause,
  });
}

/** Builds the event of a received signal. */
export function signalEvent(content: Record<string, unknown>, from: Connection | null): SignalEvent {
  const signalType = typeof content.type === 'string' ? content.type : '';
  return {
    type: signalType === '' ? 'signal' : `signal:${signalType}`,
    signalType,
    data: typeof content.data === 'string' ? content.data : '',
    from,
  };
}
