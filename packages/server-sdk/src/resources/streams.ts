/**
 * Streams: the audio-video feeds published in a session, and their layout classes.
 */
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { Stream, StreamLayoutClassUpdate, StreamList } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** Read the streams of a session and set their layout classes. */
export class Streams extends APIResource {
  /** Lists the streams currently published in a session. */
  async list(sessionId: string, requestOptions?: RequestOptions): Promise<Stream[]> {
    assertSessionIdShape(sessionId);
    const list = await this._client.executor.request<StreamList>(
      { method: 'GET', path: this.projectPath(path`/session/${sessionId}/stream`) },
      requestOptions,
    );
    return list.items;
  }

  /** Gets one stream of a session: its name, video type and layout classes. */
  async retrieve(sessionId: string, streamId: string, requestOptions?: RequestOptions): Promise<Stream> {
    assertSessionIdShape(sessionId);
    requireId(streamId, 'streamId');
    return this._client.executor.request<Stream>(
      { method: 'GET', path: this.projectPath(path`/session/${sessionId}/stream/${streamId}`) },
      requestOptions,
    );
  }

  /**
   * Sets the layout classes of streams, which position them in composed archives and broadcasts. An
   * empty `layoutClassList` clears a stream's classes.
   *
   * @example
   * await video.streams.setLayoutClasses(sessionId, [{ id: streamId, layoutClassList: ['full'] }]);
   */
  async setLayoutClasses(
    sessionId: string,
    items: StreamLayoutClassUpdate[],
    requestOptions?: RequestOptions,
  ): Promise<void> {
    assertSessionIdShape(sessionId);
    await this._client.executor.request(
      { method: 'PUT', path: this.projectPath(path`/session/${sessionId}/stream`), body: { items } },
      requestOptions,
    );
  }
}
