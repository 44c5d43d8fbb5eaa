/**
 * Audio Connector: stream a session's audio to a WebSocket server (and back, when bidirectional).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { AudioConnection, AudioConnectorWebSocket } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** Options of {@link AudioConnector.connect}. */
export interface AudioConnectorOptions {
  /** The WebSocket to stream to (`uri` is required) and how. */
  websocket: AudioConnectorWebSocket;
  /** The client token the connector joins with; minted locally (role `publisher`) when omitted. */
  token?: string;
}

/** Stream session audio over WebSockets. */
export class AudioConnector extends APIResource {
  /**
   * Connects a session's audio to a WebSocket server (16-bit linear PCM). Stop it with
   * `connections.forceDisconnect(sessionId, connection.connectionId)`.
   */
  async connect(
    sessionId: string,
    options: AudioConnectorOptions,
    requestOptions?: RequestOptions,
  ): Promise<AudioConnection> {
    assertSessionIdShape(sessionId);
    const uri = options?.websocket?.uri;
    if (typeof uri !== 'string' || !/^wss?:\/\//.test(uri)) {
      throw new InvalidArgumentError(
        'options.websocket.uri',
        `must be a ws:// or wss:// URL (got ${describe(uri)})`,
      );
    }
    const token = await this.tokenFor(sessionId, options.token, 'publisher');
    return this._client.executor.request<AudioConnection>(
      {
        method: 'POST',
        path: this.projectPath('/connect'),
        body: { sessionId, token, websocket: options.websocket },
      },
      requestOptions,
    );
  }
}
