/**
 * The SIP interconnect operations: `dial` answers `200` with the call (its connection and stream are
 * already in the session; the call is placed in the background), `playDtmf` and `playDtmfToConnection`
 * answer `200` with no body, as the Vonage API does. Bodies are already validated against the spec
 * (`SipDialParams`, `DtmfParams`); the service checks what the schema cannot and throws `ApiError`s. A
 * call is hung up by force-disconnecting its connection (`forceDisconnect`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SipDialParams, SipService } from '../../services/sip/sip-service.js';
import { callerProject, type ResourceModule } from '../context.js';

/** The SIP resource, bound to a SIP service. */
export function sipResource(service: SipService): ResourceModule {
  return {
    name: 'sip',
    handlers: () => ({
      async dial(request: FastifyRequest, reply: FastifyReply) {
        const { projectId } = request.params as { projectId: string };
        const call = await service.dial(callerProject(request), request.body as SipDialParams, projectId);
        return reply.code(200).send(call);
      },
      async playDtmf(request: FastifyRequest, reply: FastifyReply) {
        const { sessionId } = request.params as { sessionId: string };
        const { digits } = request.body as { digits: string };
        await service.playDtmf(callerProject(request), sessionId, digits, null);
        return reply.code(200).send();
      },
      async playDtmfToConnection(request: FastifyRequest, reply: FastifyReply) {
        const { sessionId, connectionId } = request.params as { sessionId: string; connectionId: string };
        const { digits } = request.body as { digits: string };
        await service.playDtmf(callerProject(request), sessionId, digits, connectionId);
        return reply.code(200).send();
      },
    }),
  };
}
