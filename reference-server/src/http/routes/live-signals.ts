/**
 * Signals from the server: `sendSignal` (every client of the session) and `sendSignalToConnection` (one
 * client). Clients receive them with `from = null`. Both answer 204.
 */
import { randomUUID } from 'node:crypto';
import { checkSignal } from '@parley/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Realtime } from '../../realtime/realtime.js';
import type { ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';
import { liveTarget } from './live-shared.js';

/** The validated body (the spec's `SignalParams`). */
interface SignalBody {
  type: string;
  data: string;
}

/** The signals resource, bound to the realtime layer. */
export function liveSignalsResource(realtime: Realtime): ResourceModule {
  return {
    name: 'live-signals',
    handlers: ({ store }) => {
      async function send(request: FastifyRequest, reply: FastifyReply, to: string | null) {
        const target = await liveTarget(store, realtime, request);
        const { type, data } = request.body as SignalBody;
        // The spec validator checks the same rules; this keeps the 413/400 split exact on any path here.
        const problem = checkSignal(type, data);
        if (problem) {
          throw new ApiError(
            problem.kind === 'too-large' ? 'SIGNAL_TOO_LARGE' : 'INVALID_SIGNAL',
            `body.${problem.message}`,
          );
        }
        const delivered = target.live?.signal(null, to, type, data, randomUUID()) ?? false;
        if (to !== null && !delivered) {
          throw new ApiError(
            'CONNECTION_NOT_CONNECTED',
            `Connection ${to} is not connected to session ${target.record.sessionId}`,
          );
        }
        return reply.code(204).send();
      }
      return {
        sendSignal: (request, reply) => send(request, reply, null),
        sendSignalToConnection: (request, reply) =>
          send(request, reply, (request.params as { connectionId: string }).connectionId),
      };
    },
  };
}
