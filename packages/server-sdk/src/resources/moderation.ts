/**
 * Moderation: force-mute one stream or a whole session.
 */
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { ProjectDetails } from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** Force-mute streams. */
export class Moderation extends APIResource {
  /** Force-mutes the audio of one stream (its publisher can unmute itself). */
  async muteStream(
    sessionId: string,
    streamId: string,
    requestOptions?: RequestOptions,
  ): Promise<ProjectDetails> {
    assertSessionIdShape(sessionId);
    requireId(streamId, 'streamId');
    return this._client.executor.request<ProjectDetails>(
      {
        method: 'POST',
        path: this.projectPath(path`/session/${sessionId}/stream/${streamId}/mute`),
        body: {},
      },
      requestOptions,
    );
  }

  /**
   * Force-mutes every stream of the session, current **and future**, except `excludedStreamIds`, until
   * {@link disableForceMute}.
   */
  async muteAll(
    sessionId: string,
    options: { excludedStreamIds?: string[] } = {},
    requestOptions?: RequestOptions,
  ): Promise<ProjectDetails> {
    return this.#setMuteState(sessionId, true, options.excludedStreamIds ?? [], requestOptions);
  }

  /**
   * Stops force-muting streams published from now on. Streams already muted stay muted until their
   * publishers unmute themselves.
   */
  async disableForceMute(sessionId: string, requestOptions?: RequestOptions): Promise<ProjectDetails> {
    return this.#setMuteState(sessionId, false, undefined, requestOptions);
  }

  async #setMuteState(
    sessionId: string,
    active: boolean,
    excludedStreamIds: string[] | undefined,
    requestOptions: RequestOptions | undefined,
  ): Promise<ProjectDetails> {
    assertSessionIdShape(sessionId);
    excludedStreamIds?.forEach((id, index) => {
      requireId(id, `options.excludedStreamIds[${index}]`);
    });
    return this._client.executor.request<ProjectDetails>(
      {
        method: 'POST',
        path: this.projectPath(path`/session/${sessionId}/mute`),
        body: excludedStreamIds === undefined ? { active } : { active, excludedStreamIds },
      },
      requestOptions,
    );
  }
}
