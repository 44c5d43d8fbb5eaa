/**
 * Wires the Audio Connector into the app: the service on the realtime layer's live sessions and media,
 * its REST resource, and a stop of every running connector before the server closes (their sockets
 * close and their connections leave, so the sessions' last webhooks are still sent).
 */
import type { FastifyInstance } from 'fastify';
import type { ResourceModule } from '../../http/context.js';
import { audioConnectorResource } from '../../http/routes/audio-connector.js';
import { AudioConnectorService } from './audio-connector-service.js';

/** Options of {@link installAudioConnector}. */
export interface InstallAudioConnectorOptions {
  /** The ffmpeg executable (the recording one). Default `PARLEY_FFMPEG` or `ffmpeg` on PATH. */
  ffmpegPath?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The running Audio Connectors. */
    audioConnectors: AudioConnectorService;
  }
}

/**
 * Installs the Audio Connector on an app whose realtime layer is installed; call before the spec routes
 * are registered and pass on the resources.
 */
export function installAudioConnector(
  app: FastifyInstance,
  options: InstallAudioConnectorOptions = {},
): ResourceModule[] {
  const service = new AudioConnectorService({
    store: app.parley.store,
    realtime: app.realtime,
    now: app.parley.now,
    logger: { warn: (details, message) => app.log.warn(details, message) },
    ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
  });
  app.decorate('audioConnectors', service);
  app.addHook('preClose', async () => {
    await service.close();
  });
  return [audioConnectorResource(service)];
}
