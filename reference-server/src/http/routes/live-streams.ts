/**
 * The streams of a live session: `listStreams`, `getStream` (id, `videoType`, name, layout classes) and
 * `setStreamLayoutClasses` (all-or-nothing; 200 with no body).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Realtime } from '../../realtime/realtime.js';
import { type LiveStream, streamVideoType } from '../../realtime/session/types.js';
import type { ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';
import { liveTarget } from './live-shared.js';

/** The longest layout class list of one stream, joined with spaces. */
const MAX_LAYOUT_CLASS_LIST_LENGTH = 1000;

/** A stream as the REST API returns it (the spec's `Stream`). */
export function restStream(stream: LiveStream): Record<string, unknown> {
  const body: Record<string, unknown> = { id: stream.id };
  const videoType = streamVideoType(stream);
  if (videoType) body.videoType = videoType;
  body.name = stream.name;
  body.layoutClassList = [...stream.layoutClassList];
  return body;
}

/** The validated body of `setStreamLayoutClasses` (the spec's `StreamLayoutClassesParams`). */
interface LayoutClassesBody {
  items: { id: string; layoutClassList: string[] }[];
}

/** The streams resource, bound to the realtime layer. */
export function liveStreamsResource(realtime: Realtime): ResourceModule {
  return {
    name: 'live-streams',
    handlers: ({ store }) => ({
      async listStreams(request: FastifyRequest, reply: FastifyReply) {
        const target = await liveTarget(store, realtime, request);
        const items = (target.live?.streams ?? []).filter((s) => s.announced).map(restStream);
        return reply.send({ count: items.length, items });
      },

      async getStream(request: FastifyRequest, reply: FastifyReply) {
        const target = await liveTarget(store, realtime, request);
        const { streamId } = request.params as { streamId: string };
        const stream = target.live?.stream(streamId);
        if (!stream?.announced) {
          throw new ApiError(
            'STREAM_NOT_FOUND',
            `Stream ${streamId} was not found in session ${target.record.sessionId}`,
          );
        }
        return reply.send(restStream(stream));
      },

      async setStreamLayoutClasses(request: FastifyRequest, reply: FastifyReply) {
        const target = await liveTarget(store, realtime, request);
        const { items } = request.body as LayoutClassesBody;
        const seen = new Set<string>();
        const updates: { stream: LiveStream; layoutClassList: string[] }[] = [];
        // Check everything before changing anything: the update is all-or-nothing.
        for (const [index, item] of items.entries()) {
          if (seen.has(item.id)) {
            throw new ApiError('DUPLICATE_STREAM', `body.items[${index}].id repeats stream ${item.id}`);
          }
          seen.add(item.id);
          if (item.layoutClassList.join(' ').length > MAX_LAYOUT_CLASS_LIST_LENGTH) {
            throw new ApiError(
              'LAYOUT_CLASSES_TOO_LONG',
              `body.items[${index}].layoutClassList must be at most ${MAX_LAYOUT_CLASS_LIST_LENGTH} characters when joined with spaces`,
            );
          }
          const stream = target.live?.stream(item.id);
          if (!stream?.announced) {
            throw new ApiError(
              'STREAM_NOT_FOUND',
              `Stream ${item.id} was not found in session ${target.record.sessionId}`,
            );
          }
          updates.push({ stream, layoutClassList: [...item.layoutClassList] });
        }
        target.live?.setLayoutClasses(updates);
        return reply.code(200).send();
      },
    }),
  };
}
