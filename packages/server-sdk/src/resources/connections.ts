/**
 * Connections: the clients connected to a session.
 */
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { Connection, ConnectionList } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** List the clients of a session and force them out. */
export class Connections extends APIResource {
  /** Lists the connections of a session with their state. */
  async list(sessionId: string, requestOptions?: RequestOptions): Promise<Connection[]> {
    assertSessionIdShape(sessionId);
    const list = await this._client.executor.request<ConnectionList>(
      { method: 'GET', path: this.projectPath(path`/session/${sessionId}/connection`) },
      requestOptions,
    );
    return list.items;
  }

  /**
   * Forces a client out of the session (its clients get `connectionDestroyed` with reason
   * `forceDisconnected`). Also ends SIP calls and Audio Connector WebSockets, by their connection ID.
   */
  async forceDisconnect(
    sessionId: string,
    connectionId: string,
    requestOptions?: RequestOptions,
  ): Promise<void> {
    assertSessionIdShape(sessionId);
    requireId(connectionId, 'connectionId');
    await this._client.executor.request(
      { method: 'DELETE', path: this.projectPath(path`/session/${sessionId}/connection/${connectionId}`) },
      requestOptions,
    );
  }
}
