/**
 * Experience Composer renders: a web page rendered into a session as a stream.
 */
import { type OffsetPageParams, PagePromise } from '../core/pagination.js';
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { Render, RenderList, RenderStartParams } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** Options of {@link Renders.start}: the body of `POST …/render` without `sessionId`; `token` optional. */
export type RenderStartOptions = Omit<RenderStartParams, 'sessionId' | 'token'> & {
  /** The client token the render joins with; minted locally (role `publisher`) when omitted. */
  token?: string;
};

/** Render web pages into sessions. */
export class Renders extends APIResource {
  /** Starts rendering a web page (`url`) into a session as a published stream. */
  async start(
    sessionId: string,
    options: RenderStartOptions,
    requestOptions?: RequestOptions,
  ): Promise<Render> {
    assertSessionIdShape(sessionId);
    const token = await this.tokenFor(sessionId, options.token, 'publisher');
    return this._client.executor.request<Render>(
      { method: 'POST', path: this.projectPath('/render'), body: { ...options, sessionId, token } },
      requestOptions,
    );
  }

  /** Gets one render and its status. */
  async retrieve(renderId: string, requestOptions?: RequestOptions): Promise<Render> {
    requireId(renderId, 'renderId');
    return this._client.executor.request<Render>(
      { method: 'GET', path: this.projectPath(path`/render/${renderId}`) },
      requestOptions,
    );
  }

  /** Lists renders, newest first. Await it for one page, or iterate every render with `for await`. */
  list(params: OffsetPageParams = {}, requestOptions?: RequestOptions): PagePromise<Render> {
    return new PagePromise<Render>(
      ({ offset, count }) =>
        this._client.executor.request<RenderList>(
          { method: 'GET', path: this.projectPath('/render'), query: { offset, count } },
          requestOptions,
        ),
      params,
    );
  }

  /** Stops a render: its stream leaves the session. */
  async stop(renderId: string, requestOptions?: RequestOptions): Promise<void> {
    requireId(renderId, 'renderId');
    await this._client.executor.request(
      { method: 'DELETE', path: this.projectPath(path`/render/${renderId}`) },
      requestOptions,
    );
  }
}
