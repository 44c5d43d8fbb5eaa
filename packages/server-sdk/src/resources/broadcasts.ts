/**
 * Broadcasts: live streams of a session to HLS viewers and to RTMP servers.
 */
import { type OffsetPageParams, PagePromise } from '../core/pagination.js';
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { Broadcast, BroadcastList, BroadcastStartParams, Layout } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';
import { assertSomeTrack, type StreamTracks } from './archives.js';

/** Options of {@link Broadcasts.start}: the body of `POST …/broadcast` without `sessionId`. */
export type BroadcastStartOptions = Omit<BroadcastStartParams, 'sessionId'>;

/** Filter and paging of {@link Broadcasts.list}. */
export interface BroadcastListParams extends OffsetPageParams {
  /** Only broadcasts of this session. */
  sessionId?: string;
}

/** Live-stream sessions to HLS and RTMP. */
export class Broadcasts extends APIResource {
  /**
   * Starts broadcasting a session to HLS and/or up to 5 RTMP servers. The session must be routed and
   * have a connected client; without a `multiBroadcastTag` a session has one broadcast at a time.
   */
  async start(
    sessionId: string,
    options: BroadcastStartOptions,
    requestOptions?: RequestOptions,
  ): Promise<Broadcast> {
    assertSessionIdShape(sessionId);
    return this._client.executor.request<Broadcast>(
      { method: 'POST', path: this.projectPath('/broadcast'), body: { ...options, sessionId } },
      requestOptions,
    );
  }

  /** Stops a broadcast. */
  async stop(broadcastId: string, requestOptions?: RequestOptions): Promise<Broadcast> {
    requireId(broadcastId, 'broadcastId');
    return this._client.executor.request<Broadcast>(
      { method: 'POST', path: this.projectPath(path`/broadcast/${broadcastId}/stop`), body: {} },
      requestOptions,
    );
  }

  /** Gets one broadcast, with its HLS and RTMP URLs and their status. */
  async retrieve(broadcastId: string, requestOptions?: RequestOptions): Promise<Broadcast> {
    requireId(broadcastId, 'broadcastId');
    return this._client.executor.request<Broadcast>(
      { method: 'GET', path: this.projectPath(path`/broadcast/${broadcastId}`) },
      requestOptions,
    );
  }

  /** Lists broadcasts, newest first. Await it for one page, or iterate every broadcast with `for await`. */
  list(params: BroadcastListParams = {}, requestOptions?: RequestOptions): PagePromise<Broadcast> {
    const { sessionId } = params;
    return new PagePromise<Broadcast>(({ offset, count }) => {
      if (sessionId !== undefined) assertSessionIdShape(sessionId, 'params.sessionId');
      return this._client.executor.request<BroadcastList>(
        { method: 'GET', path: this.projectPath('/broadcast'), query: { offset, count, sessionId } },
        requestOptions,
      );
    }, params);
  }

  /** Changes the layout of a broadcast while it runs. */
  async setLayout(broadcastId: string, layout: Layout, requestOptions?: RequestOptions): Promise<void> {
    requireId(broadcastId, 'broadcastId');
    await this._client.executor.request(
      { method: 'PUT', path: this.projectPath(path`/broadcast/${broadcastId}/layout`), body: layout },
      requestOptions,
    );
  }

  /** Adds a stream to a broadcast started with `streamMode: 'manual'` (or changes which tracks it sends). */
  async addStream(
    broadcastId: string,
    streamId: string,
    tracks: StreamTracks = {},
    requestOptions?: RequestOptions,
  ): Promise<void> {
    requireId(broadcastId, 'broadcastId');
    requireId(streamId, 'streamId');
    assertSomeTrack(tracks);
    await this._client.executor.request(
      {
        method: 'PATCH',
        path: this.projectPath(path`/broadcast/${broadcastId}/streams`),
        body: { addStream: streamId, hasAudio: tracks.hasAudio ?? true, hasVideo: tracks.hasVideo ?? true },
      },
      requestOptions,
    );
  }

  /** Removes a stream from a broadcast started with `streamMode: 'manual'`. */
  async removeStream(broadcastId: string, streamId: string, requestOptions?: RequestOptions): Promise<void> {
    requireId(broadcastId, 'broadcastId');
    requireId(streamId, 'streamId');
    await this._client.executor.request(
      {
        method: 'PATCH',
        path: this.projectPath(path`/broadcast/${broadcastId}/streams`),
        body: { removeStream: streamId },
      },
      requestOptions,
    );
  }
}
