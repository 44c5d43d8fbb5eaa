/**
 * Moderation of a live session: `muteStream` (one stream) and `muteAll` (every stream but the excluded
 * ones, now and on entry, until `active: false`). Both answer 200 with the project's details, as Vonage does.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Realtime } from '../../realtime/realtime.js';
import type { ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';
import { liveTarget, openLive, projectDetailsWithoutSecret } from './live-shared.js';

/** The validated body of `muteAll` (the spec's `MuteAllParams`). */
interface MuteAllBody {
  active: boolean;
  excludedStreamIds?: string[];
}

/** The moderation resource, bound to the realtime layer. */
export function liveModerationResource(realtime: Realtime): ResourceModule {
  return {
    name: 'live-moderation',
    handlers: ({ store }) => ({
      async muteStream(request: FastifyRequest, reply: FastifyReply) {
        const target = await liveTarget(store, realtime, request);
        const { streamId } = request.params as { streamId: string };
        const stream = target.live?.stream(streamId);
        if (!stream?.announced || !target.live?.forceMuteStream(streamId)) {
          throw new ApiError(
            'STREAM_NOT_FOUND',
            `Stream ${streamId} was not found in session ${target.record.sessionId}`,
          );
        }
        return reply.send(projectDetailsWithoutSecret(target.project));
      },

      async muteAll(request: FastifyRequest, reply: FastifyReply) {
        const target = await liveTarget(store, realtime, request);
        const { active, excludedStreamIds = [] } = request.body as MuteAllBody;
        const live = openLive(realtime, target);
        live.setMuteAll(active, excludedStreamIds);
        // Turning mute off may leave the session with nothing to keep.
        realtime.registry.release(live);
        return reply.send(projectDetailsWithoutSecret(target.project));
      },
    }),
  };
}
