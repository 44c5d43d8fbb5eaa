/**
 * Wires SIP interconnect into the app: the service on the realtime layer's live sessions and media,
 * its REST resource, and a hang-up of every running call before the server closes (their connections
 * leave, so the sessions' last webhooks are still sent).
 */
import type { FastifyInstance } from 'fastify';
import type { ResourceModule } from '../../http/context.js';
import { sipResource } from '../../http/routes/sip.js';
import type { SipCallLimits } from './sip-call.js';
import { SipService } from './sip-service.js';

/** Options of {@link installSip}. */
export interface InstallSipOptions {
  /** The ffmpeg executable (the recording one). Default `PARLEY_FFMPEG` or `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Overrides of the call limits and network settings (trusted CAs, advertised address, timeouts). */
  limits?: Partial<Omit<SipCallLimits, 'ffmpegPath'>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The running SIP calls. */
    sip: SipService;
  }
}

/**
 * Installs SIP interconnect on an app whose realtime layer is installed; call before the spec routes
 * are registered and pass on the resources.
 */
export function installSip(app: FastifyInstance, options: InstallSipOptions = {}): ResourceModule[] {
  const service = new SipService({
    store: app.parley.store,
    realtime: app.realtime,
    events: app.parley.events,
    now: app.parley.now,
    logger: { warn: (details, message) => app.log.warn(details, message) },
    limits: { ...options.limits, ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}) },
  });
  app.decorate('sip', service);
  app.addHook('preClose', async () => {
    await service.close();
  });
  return [sipResource(service)];
}
