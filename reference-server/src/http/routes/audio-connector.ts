/**
 * The Audio Connector operation, `connectAudio`: starts a connector and answers `200` with its ID and
 * the connection ID it joined the session with. The body is already validated against the spec
 * (`AudioConnectorParams`); the service checks what the schema cannot (session, token, header size,
 * the WebSocket) and throws `ApiError`s. The connector is stopped by force-disconnecting its
 * connection (`forceDisconnect`), so there is no stop operation here.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {
  AudioConnectorParams,
  AudioConnectorService,
} from '../../services/audio-connector/audio-connector-service.js';
import { callerProject, type ResourceModule } from '../context.js';

/** The Audio Connector resource, bound to a connector service. */
export function audioConnectorResource(service: AudioConnectorService): ResourceModule {
  return {
    name: 'audio-connector',
    handlers: () => ({
      async connectAudio(request: FastifyRequest, reply: FastifyReply) {
        const connection = await service.connect(
          callerProject(request),
          request.body as AudioConnectorParams,
        );
        return reply.code(200).send(connection);
      },
    }),
  };
}
