/**
 * The live captions operations: `startCaptions` (202 with `{captionsId}`) and `stopCaptions` (202, no
 * body; stopping again succeeds again, an unknown ID is 404). The body is already validated against the
 * spec (`CaptionsStartParams`); the service checks what the schema cannot and throws `ApiError`s.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CaptionsService, CaptionsStartParams } from '../../services/captions/captions-service.js';
import { callerProject, type ResourceModule } from '../context.js';

/** The parameters of `…/captions/{captionsId}/stop`. */
interface CaptionsParams {
  captionsId: string;
}

/** The captions resource, bound to a captions service. */
export function captionsResource(service: CaptionsService): ResourceModule {
  return {
    name: 'captions',
    handlers: () => ({
      async startCaptions(request: FastifyRequest, reply: FastifyReply) {
        const started = await service.start(callerProject(request), request.body as CaptionsStartParams);
        return reply.code(202).send(started);
      },

      async stopCaptions(request: FastifyRequest, reply: FastifyReply) {
        const { captionsId } = request.params as CaptionsParams;
        await service.stop(callerProject(request), captionsId);
        return reply.code(202).send();
      },
    }),
  };
}
