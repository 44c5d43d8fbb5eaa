/**
 * The connections of a live session: `listConnections` and `forceDisconnect` (204; every client receives
 * `connectionDestroyed` with `forceDisconnected`, after `streamDestroyed` for the client's streams).
 * `listConnections` reports `Connected` for clients that completed connection create and `Connecting` for
 * sockets that said `CONNECT` to the session's topic but have not completed it yet.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Realtime } from '../../realtime/realtime.js';
import type { ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';
import { liveTarget } from './live-shared.js';

/** The connections resource, bound to the realtime layer. */
export function liveConnectionsResource(realtime: Realtime): ResourceModule {
  return {
    name: 'live-connections',
    handlers: ({ store }) => ({
      async listConnections(request: FastifyRequest, reply: FastifyReply) {
        const target = await liveTarget(store, realtime, request);
        const items = (target.live?.connections ?? []).map((connection) => ({
          connectionId: connection.id,
          connectionState:
            connection.state === 'connected'
              ? 'Connected'
              : connection.state === 'connecting'
                ? 'Connecting'
                : 'Disconnected',
          createdAt: connection.creationTime,
        }));
        const listed = new Set(items.map((item) => item.connectionId));
        const joining = realtime.gateway.joiningClients(
          [target.project.apiKey, target.project.applicationId],
          target.record.sessionId,
        );
        for (const client of joining) {
          // A socket whose ID is already a connection of the session is a duplicate that will be refused.
          if (listed.has(client.connectionId)) continue;
          listed.add(client.connectionId);
          items.push({
            connectionId: client.connectionId,
            connectionState: 'Connecting',
            createdAt: client.connectTime,
          });
        }
        items.sort((a, b) => a.createdAt - b.createdAt);
        return reply.send({
          count: items.length,
          projectId: (request.params as { projectId: string }).projectId,
          sessionId: target.record.sessionId,
          items,
        });
      },

      async forceDisconnect(request: FastifyRequest, reply: FastifyReply) {
        const target = await liveTarget(store, realtime, request);
        const { connectionId } = request.params as { connectionId: string };
        if (!target.live?.removeConnection(connectionId, 'forceDisconnected')) {
          throw new ApiError(
            'CONNECTION_NOT_CONNECTED',
            `Connection ${connectionId} is not connected to session ${target.record.sessionId}`,
          );
        }
        return reply.code(204).send();
      },
    }),
  };
}
