/**
 * Wires live captions into the app: the service on the realtime layer's live sessions and media, its
 * REST resource, and a stop of every running captioning before the server closes. The recogniser is
 * looked for on the first `startCaptions`, not at start-up: a server without PocketSphinx starts and
 * serves everything else, and `startCaptions` answers 500 naming the missing package.
 */
import type { FastifyInstance } from 'fastify';
import type { ResourceModule } from '../../http/context.js';
import { captionsResource } from '../../http/routes/captions.js';
import { CaptionsService, defaultProbe } from './captions-service.js';
import { defaultModelsDirectory, defaultPythonPath } from './languages.js';
import { opusDecoderFactory } from './stream-captioner.js';

/** Options of {@link installCaptions}. */
export interface InstallCaptionsOptions {
  /** The ffmpeg executable that decodes the audio. Default `PARLEY_FFMPEG` or `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** The Python that can import `pocketsphinx`. Default `PARLEY_CAPTIONS_PYTHON` or `/usr/bin/python3`. */
  pythonPath?: string;
  /** The PocketSphinx models directory. Default `PARLEY_POCKETSPHINX_MODELS` or `/usr/share/pocketsphinx/model`. */
  modelsDirectory?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Live captions. */
    captions: CaptionsService;
  }
}

/**
 * Installs live captions on an app whose realtime layer is installed; call before the spec routes are
 * registered and pass on the resources.
 */
export function installCaptions(
  app: FastifyInstance,
  options: InstallCaptionsOptions = {},
): ResourceModule[] {
  const service = new CaptionsService({
    store: app.parley.store,
    realtime: app.realtime,
    events: app.parley.events,
    now: app.parley.now,
    probe: defaultProbe(
      options.pythonPath ?? defaultPythonPath(),
      options.modelsDirectory ?? defaultModelsDirectory(),
    ),
    createDecoder: opusDecoderFactory(options.ffmpegPath),
    logger: { warn: (details, message) => app.log.warn(details, message) },
  });
  app.decorate('captions', service);
  app.addHook('preClose', async () => {
    await service.close();
  });
  return [captionsResource(service)];
}
