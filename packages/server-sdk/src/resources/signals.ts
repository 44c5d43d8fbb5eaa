/**
 * Signals: text messages from the server to every client of a session, or to one connection.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe, path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { SignalParams } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** A signal to send. */
export interface SignalSendParams {
  /** The signal type: at most 128 characters of `A-Z a-z 0-9 - _ . ~`; default empty (no type). */
  type?: string;
  /** The payload: any text (often JSON), at most 8192 characters; default empty. */
  data?: string;
  /** Send to this connection only, instead of every client of the session. */
  connectionId?: string;
}

const MAX_TYPE_LENGTH = 128;
const MAX_DATA_LENGTH = 8192;

/** Send signals to clients. */
export class Signals extends APIResource {
  /**
   * Sends a signal to every client of a session, or to one connection with `connectionId`. Clients
   * receive a `signal` event (and `signal:<type>`) with `from` null.
   *
   * @example
   * await video.signals.send(sessionId, { type: 'chat', data: JSON.stringify({ text: 'Hello' }) });
   */
  async send(sessionId: string, signal: SignalSendParams, requestOptions?: RequestOptions): Promise<void> {
    assertSessionIdShape(sessionId);
    const body: SignalParams = { type: signal.type ?? '', data: signal.data ?? '' };
    validateSignal(body);
    const suffix =
      signal.connectionId === undefined
        ? path`/session/${sessionId}/signal`
        : path`/session/${sessionId}/connection/${requireId(signal.connectionId, 'signal.connectionId')}/signal`;
    await this._client.executor.request(
      { method: 'POST', path: this.projectPath(suffix), body },
      requestOptions,
    );
  }
}

function validateSignal(signal: SignalParams): void {
  if (typeof signal.type !== 'string' || !/^[A-Za-z0-9._~-]*$/.test(signal.type)) {
    throw new InvalidArgumentError(
      'signal.type',
      `may contain only A-Z a-z 0-9 - _ . ~ (got ${describe(signal.type)})`,
    );
  }
  if (signal.type.length > MAX_TYPE_LENGTH) {
    throw new InvalidArgumentError(
      'signal.type',
      `must be at most ${MAX_TYPE_LENGTH} characters (got ${signal.type.length})`,
    );
  }
  if (typeof signal.data !== 'string') {
    throw new InvalidArgumentError('signal.data', `must be a string (got ${describe(signal.data)})`);
  }
  if (signal.data.length > MAX_DATA_LENGTH) {
    throw new InvalidArgumentError(
      'signal.data',
      `must be at most ${MAX_DATA_LENGTH} characters (got ${signal.data.length})`,
    );
  }
}
