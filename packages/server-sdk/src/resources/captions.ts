/**
 * Live captions: speech to text for the audio of a session.
 */
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { CaptionsStarted, CaptionsStartParams } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** Options of {@link Captions.start}: the body of `POST …/captions` without `sessionId`; `token` optional. */
export type CaptionsStartOptions = Omit<CaptionsStartParams, 'sessionId' | 'token'> & {
  /** The client token the captioner joins with; minted locally (role `moderator`) when omitted. */
  token?: string;
};

/** Caption sessions live. */
export class Captions extends APIResource {
  /** Starts live captions for a routed session (one captioning per session; a second start answers 409). */
  async start(
    sessionId: string,
    options: CaptionsStartOptions = {},
    requestOptions?: RequestOptions,
  ): Promise<CaptionsStarted> {
    assertSessionIdShape(sessionId);
    const token = await this.tokenFor(sessionId, options.token, 'moderator');
    return this._client.executor.request<CaptionsStarted>(
      { method: 'POST', path: this.projectPath('/captions'), body: { ...options, sessionId, token } },
      requestOptions,
    );
  }

  /** Stops live captions. */
  async stop(captionsId: string, requestOptions?: RequestOptions): Promise<void> {
    requireId(captionsId, 'captionsId');
    await this._client.executor.request(
      { method: 'POST', path: this.projectPath(path`/captions/${captionsId}/stop`), body: {} },
      requestOptions,
    );
  }
}
