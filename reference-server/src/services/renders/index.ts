/**
 * Experience Composer renders: a headless Chromium opens a web page and publishes what it shows (and
 * plays) into a routed session as one stream. This wires the render manager into the app: the browsers,
 * crash recovery when the app becomes ready, and a clean shutdown (every render ends `failed`, reason
 * `The server shut down`, and the browsers close).
 */
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ResourceModule } from '../../http/context.js';
import { rendersResource } from '../../http/routes/renders.js';
import { DEFAULT_CHROMIUM_PATH, RenderBrowsers } from './chromium.js';
import { RenderManager } from './render-manager.js';

export { CHROMIUM_FLAGS, DEFAULT_CHROMIUM_PATH, isSecureOrigin, RenderBrowsers } from './chromium.js';
export { RENDER_ERRORS, RenderError, type RenderErrorName } from './errors.js';
export { type RenderLogger, RenderManager, type RenderManagerOptions } from './render-manager.js';
export { DEFAULT_MAX_DURATION, DEFAULT_RESOLUTION, MAX_DURATION_RANGE } from './render-rules.js';
export { renderStatusEvent, renderView } from './render-view.js';
export type { RenderList, RenderStartParams, RenderStatus, RenderStatusEvent, RenderView } from './types.js';

/** Render options of the app. */
export interface RenderOptions {
  /**
   * The Chromium executable; null leaves renders unavailable (`startRender` answers 500 saying how to set
   * one up). Default {@link DEFAULT_CHROMIUM_PATH} when it exists, else null.
   */
  chromiumPath?: string | null;
  /** Flags added to every render browser (tests confine DNS to loopback). */
  extraChromiumFlags?: readonly string[];
  /** The timer length for a `maxDuration` in seconds. Default `seconds × 1000`; tests shorten it. */
  maxDurationMs?: (seconds: number) => number;
  /** How long a page may take to load, ms. Default 60 000. */
  loadTimeoutMs?: number;
}

/** What {@link installRenders} needs from the app. */
export interface InstallRendersOptions {
  /** The server's public origin (no trailing slash), which rendered pages join through. */
  publicUrl: () => string;
  options?: RenderOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Experience Composer renders. */
    renders: RenderManager;
  }
}

/** The default Chromium: Debian's, when installed. */
export function defaultChromiumPath(): string | null {
  return existsSync(DEFAULT_CHROMIUM_PATH) ? DEFAULT_CHROMIUM_PATH : null;
}

/** Installs renders on an app whose services are decorated; pass on the returned resources. */
export function installRenders(app: FastifyInstance, install: InstallRendersOptions): ResourceModule[] {
  const options = install.options ?? {};
  const { store, events, now } = app.parley;
  const browsers = new RenderBrowsers({
    executablePath: options.chromiumPath === undefined ? defaultChromiumPath() : options.chromiumPath,
    ...(options.extraChromiumFlags ? { extraFlags: options.extraChromiumFlags } : {}),
    logger: app.log,
  });
  const manager = new RenderManager({
    store,
    events,
    browsers,
    serverUrl: install.publicUrl,
    now,
    logger: app.log,
    ...(options.maxDurationMs ? { maxDurationMs: options.maxDurationMs } : {}),
    ...(options.loadTimeoutMs !== undefined ? { loadTimeoutMs: options.loadTimeoutMs } : {}),
    dropConnection: (sessionId, connectionId) => {
      app.realtime.registry.get(sessionId)?.removeConnection(connectionId, 'networkDisconnected');
    },
  });
  app.decorate('renders', manager);
  app.addHook('onReady', async () => {
    // Before any request: a render left running by a crash is marked failed.
    await manager.recover();
  });
  app.addHook('preClose', async () => {
    await manager.close();
    await browsers.close();
  });
  return [rendersResource(manager)];
}
