/**
 * Signals: checking what the app sends (the limits the gateway enforces: `type` ≤ 128 characters of
 * `A-Z a-z 0-9 - _ . ~`, `data` ≤ 8192 characters) and turning received signals into events.
 */
import { checkSignal } from '@parley/protocol';
import { Connection } from '../Connection.js';
import { ErrorCode, ParleyClientError } from '../errors.js';
import type { SignalEvent } from '../events.js';

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
