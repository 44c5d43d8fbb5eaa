/**
 * The broadcast operations: `startBroadcast`, `listBroadcasts`, `getBroadcast`, `stopBroadcast`,
 * `setBroadcastLayout` (and its `POST` form), `updateBroadcastStreams`, and `getHlsFile`, which serves
 * the HLS playlist and segments to anonymous players. Requests are already validated against the spec;
 * the manager's `RecordingError`s become API errors with the same code and message.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BroadcastManager } from '../../recording/broadcasts/broadcast-manager.js';
import type { BroadcastStartParams, BroadcastStreamsChange } from '../../recording/broadcasts/types.js';
import type { Layout, LayoutType } from '../../recording/layouts.js';
import { callerProject, type ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';
import { answering } from './recording-errors.js';

/** The query of `listBroadcasts` after validation (defaults applied). */
interface ListQuery {
  offset?: number;
  count?: number;
  sessionId?: string;
  session_id?: string;
}

/** The parameters of the broadcast paths. */
interface BroadcastParams {
  broadcastId: string;
}

/** The broadcasts resource, bound to a broadcast manager. */
export function broadcastsResource(manager: BroadcastManager): ResourceModule {
  const setLayout = async (request: FastifyRequest, reply: FastifyReply) => {
    const { broadcastId } = request.params as BroadcastParams;
    await answering(() =>
      manager.setLayout(callerProject(request), broadcastId, request.body as Layout | LayoutType),
    );
    return reply.code(200).send();
  };
  return {
    name: 'broadcasts',
    handlers: () => ({
      async startBroadcast(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const view = await answering(() => manager.start(project, request.body as BroadcastStartParams));
        return reply.send(view);
      },

      async listBroadcasts(request: FastifyRequest, reply: FastifyReply) {
        const query = request.query as ListQuery;
        const { sessionId, session_id: snake } = query;
        if (sessionId !== undefined && snake !== undefined && sessionId !== snake) {
          throw new ApiError(
            'INVALID_FIELD',
            'query.sessionId and query.session_id must be equal when both are given',
          );
        }
        const filter = sessionId ?? snake;
        const list = await manager.list(callerProject(request), {
          offset: query.offset ?? 0,
          count: query.count ?? 50,
          ...(filter !== undefined ? { sessionId: filter } : {}),
        });
        return reply.send(list);
      },

      async getBroadcast(request: FastifyRequest, reply: FastifyReply) {
        const { broadcastId } = request.params as BroadcastParams;
        return reply.send(await answering(() => manager.get(callerProject(request), broadcastId)));
      },

      async stopBroadcast(request: FastifyRequest, reply: FastifyReply) {
        const { broadcastId } = request.params as BroadcastParams;
        return reply.send(await answering(() => manager.stop(callerProject(request), broadcastId)));
      },

      setBroadcastLayout: setLayout,
      setBroadcastLayoutWithPost: setLayout,

      async updateBroadcastStreams(request: FastifyRequest, reply: FastifyReply) {
        const { broadcastId } = request.params as BroadcastParams;
        await answering(() =>
          manager.updateStreams(callerProject(request), broadcastId, request.body as BroadcastStreamsChange),
        );
        return reply.code(204).send();
      },

      async getHlsFile(request: FastifyRequest, reply: FastifyReply) {
        const { broadcastId, file } = request.params as BroadcastParams & { file: string };
        // Players on any site fetch these files, errors included.
        reply.header('access-control-allow-origin', '*');
        const found = await answering(() => manager.hlsFile(broadcastId, file));
        return reply
          .code(200)
          .type(found.contentType)
          .header('cache-control', found.cacheControl)
          .header('content-length', String(found.size))
          .send(found.body);
      },
    }),
  };
}
