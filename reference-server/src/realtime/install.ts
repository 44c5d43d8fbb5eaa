/**
 * Installs the realtime layer into the Fastify app: creates it, answers CORS for the client-protocol
 * paths, routes WebSocket upgrades to the gateway, emits the session-monitoring webhooks, and closes
 * everything before the HTTP server closes (open WebSockets would otherwise hold `close()` up). Returns
 * the REST resources that act on live sessions, for the spec router. Ends a project's live sessions when the
 * project is suspended or deleted (`app.parley.projectChanges`), so the app must decorate `parley` first.
 */
import type { FastifyInstance } from 'fastify';
import type { ResourceModule } from '../http/context.js';
import { liveConnectionsResource } from '../http/routes/live-connections.js';
import { liveModerationResource } from '../http/routes/live-moderation.js';
import { liveSignalsResource } from '../http/routes/live-signals.js';
import { liveStreamsResource } from '../http/routes/live-streams.js';
import { clientProtocolResource, registerClientCors } from '../http/routes/session-info.js';
import type { ProjectEvents } from '../projects/project-events.js';
import { createSfuEngine } from '../sfu/index.js';
import type { ProjectRecord, Store } from '../store/types.js';
import { createRealtime, type Realtime, type RealtimeOptions } from './realtime.js';
import { monitorSessions } from './session-monitor.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The realtime layer: live sessions and the signaling gateway. */
    realtime: Realtime;
  }
}

/** What the app passes to {@link installRealtime}. */
export interface InstallRealtimeOptions {
  store: Store;
  events: ProjectEvents;
  now: () => number;
  /**
   * ICE servers, gateway limits, the SFU engine; see {@link RealtimeOptions}. Without `sfu` (and without
   * `routedMedia`) a werift engine on 127.0.0.1 is created and closed with the app.
   */
  options?: Omit<RealtimeOptions, 'store' | 'logger' | 'now'>;
}

/** Installs the realtime layer; call before the spec routes are registered and pass on the resources. */
export function installRealtime(app: FastifyInstance, install: InstallRealtimeOptions): ResourceModule[] {
  const options = install.options ?? {};
  const ownSfu =
    options.sfu === undefined && options.routedMedia === undefined ? createSfuEngine() : undefined;
  const realtime = createRealtime({
    ...options,
    sfu: options.sfu ?? ownSfu,
    store: install.store,
    logger: app.log,
    now: install.now,
  });
  app.decorate('realtime', realtime);
  registerClientCors(app);
  realtime.attach(app.server);
  const stopMonitor = monitorSessions(
    realtime.registry,
    install.store,
    (project, webhook, payload) => install.events.emit(project, webhook, payload),
    app.log,
  );
  // A suspended or deleted project must refuse every client, including those already connected.
  const endProject = (project: ProjectRecord) => {
    const ended = realtime.disconnectProject(project.applicationId);
    if (ended > 0)
      app.log.info({ applicationId: project.applicationId, sessions: ended }, 'ended live sessions');
  };
  app.parley.projectChanges.on('suspended', endProject).on('deleted', endProject);
  app.addHook('preClose', async () => {
    app.parley.projectChanges.off('suspended', endProject).off('deleted', endProject);
    await realtime.close();
    stopMonitor();
    ownSfu?.close();
  });
  return [
    clientProtocolResource(realtime),
    liveSignalsResource(realtime),
    liveConnectionsResource(realtime),
    liveStreamsResource(realtime),
    liveModerationResource(realtime),
  ];
}
