/**
 * `buildApp(options)`: the reference server's HTTP application, without listening. Tests drive it
 * in-process with `app.inject()`; `server.ts` listens on a socket and handles shutdown.
 *
 * @example
 * ```ts
 * const app = await buildApp({ store: createMemoryStore(), account });
 * const res = await app.inject({ method: 'GET', url: '/healthz' });
 * ```
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { localUrl } from './config.js';
import { RestJwtVerifier } from './http/auth/rest-jwt.js';
import { registerBodyParsers } from './http/body-parsers.js';
import type { AppServices, ResourceModule } from './http/context.js';
import { errorHandler, sendApiError, toApiError } from './http/error-handler.js';
import { ApiError } from './http/errors.js';
import { IdempotencyGuard } from './http/idempotency.js';
import { Lifecycle } from './http/lifecycle.js';
import { ServerMetrics } from './http/metrics.js';
import { TokenBucketLimiter } from './http/rate-limit.js';
import { RequestLog } from './http/request-log.js';
import { requestLoggerFactory } from './http/request-logger.js';
import { registerSpecRoutes } from './http/router.js';
import { archiveStorageResource } from './http/routes/archive-storage.js';
import { callbacksResource } from './http/routes/callbacks.js';
import { operationsResource } from './http/routes/operations.js';
import { projectsResource } from './http/routes/projects.js';
import { sessionsResource } from './http/routes/sessions.js';
import { loadSpec, type OpenApiDocument } from './http/spec/document.js';
import { listOperations } from './http/spec/operations.js';
import { SpecValidators } from './http/spec/validators.js';
import { type PlaygroundOptions, registerPlayground } from './playground/index.js';
import type { ArchiveStorageClientOptions } from './projects/archive-storage/target.js';
import type { AccountCredentials } from './projects/credentials.js';
import { ProjectChanges } from './projects/project-changes.js';
import { ProjectEvents } from './projects/project-events.js';
import { SecretBox } from './projects/secret-box.js';
import { installRealtime } from './realtime/install.js';
import type { RealtimeOptions } from './realtime/realtime.js';
import { installRecording, type RecordingOptions } from './recording/install.js';
import { installAudioConnector } from './services/audio-connector/install.js';
import { installCaptions } from './services/captions/install.js';
import { installRenders, type RenderOptions } from './services/renders/index.js';
import { type InstallSipOptions, installSip } from './services/sip/install.js';
import type { Store } from './store/types.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** Where records live. */
  store: Store;
  /** The account credentials that sign project-management JWTs. */
  account: AccountCredentials;
  /** The bundled API spec. Default: `@parley/openapi/parley.json` (or `$PARLEY_SPEC_FILE`). */
  spec?: OpenApiDocument;
  /** A pino logger. Default: no logging. */
  logger?: FastifyBaseLogger;
  /** Per-project rate limit; null disables it. Default 100 requests/s with bursts of 200. */
  rateLimit?: { ratePerSecond: number; burst: number } | null;
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Metrics registry. Default: a new one. */
  metrics?: ServerMetrics;
  /** Further resources (later features register their handlers here). */
  resources?: readonly ResourceModule[];
  /**
   * The webhook dispatcher. Default: one on the app's store and logger. The app starts it when it is ready
   * and stops it when it closes.
   */
  dispatcher?: WebhookDispatcher;
  /**
   * Seals secrets stored in the database (archive storage credentials). `startServer` passes the key
   * kept in the data directory; the default is a random key that lives as long as the process.
   */
  secrets?: SecretBox;
  /** How archive uploads and the storage test write reach S3 and Azure (fetch, timeout; tests override). */
  archiveStorageClient?: ArchiveStorageClientOptions;
  /** The realtime layer (signaling gateway): ICE servers, gateway limits, the SFU bridge. */
  realtime?: Omit<RealtimeOptions, 'store' | 'logger' | 'now'>;
  /**
   * The development playground at `/playground` (a page and a token endpoint with no credentials); null
   * leaves it out. Default null: `startServer` turns it on unless `--playground off`.
   */
  playground?: PlaygroundOptions | null;
  /**
   * Archives and broadcasts (directory, ffmpeg, limits); null leaves recording out (its operations answer
   * 501). Default: recording on, into a temporary directory removed when the app closes.
   */
  recording?: RecordingOptions | null;
  /**
   * The server's public origin (`https://video.example.com`, no trailing slash), used in archive download
   * links and HLS URLs. Default: `http://127.0.0.1:<port>` of the listening socket.
   */
  publicUrl?: () => string;
  /**
   * Experience Composer renders (the Chromium executable, limits); null leaves them out (their operations
   * answer 501). Default: on, with `/usr/bin/chromium` when it exists.
   */
  renders?: RenderOptions | null;
  /** SIP interconnect: trusted CAs for TLS, the advertised address, timeouts (tests shorten them). */
  sip?: InstallSipOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The services shared by every handler. */
    parley: AppServices;
  }
}

/** The resources this server implements. */
export const CORE_RESOURCES: readonly ResourceModule[] = [
  sessionsResource,
  projectsResource,
  archiveStorageResource,
  callbacksResource,
  operationsResource,
];

/** Operations that keep answering while the server drains, so probes and scrapes see the drain. */
const ALWAYS_ANSWERED = new Set(['getHealth', 'getReadiness', 'getMetrics']);

/** A client-supplied request ID is reused only when it is short and harmless in logs. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the app. Routes, auth and validation are derived from the spec; nothing listens yet. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const spec = options.spec ?? loadSpec();
  const metrics = options.metrics ?? new ServerMetrics();
  const lifecycle = new Lifecycle();
  const { store } = options;
  // Any cheap read proves the store answers; a missing project is a fine answer.
  lifecycle.addCheck('store', async () => {
    await store.projects.get('00000000-0000-4000-8000-000000000000');
    return true;
  });
  const rateLimit = options.rateLimit === undefined ? { ratePerSecond: 100, burst: 200 } : options.rateLimit;

  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // One log line per request instead of Fastify's two, written without a per-request child logger
    // unless something else logs through `request.log`.
    logController: new RequestLog(),
    childLoggerFactory: requestLoggerFactory,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Draining is answered by our own hook, with the API's error body.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1000 },
    frameworkErrors: (error, _request, reply) => {
      sendApiError(reply, toApiError(error));
    },
  });
  const dispatcher = options.dispatcher ?? new WebhookDispatcher({ store, logger: app.log, now });
  const events = new ProjectEvents({ store, dispatcher, logger: app.log });
  const projectChanges = new ProjectChanges();
  // A failing subscriber must not fail the request that changed the project; it is logged instead.
  projectChanges.on('listenerError', (error, event) => {
    app.log.error({ err: error, event }, 'A project-change listener failed');
  });
  const services: AppServices = {
    store,
    account: options.account,
    metrics,
    now,
    lifecycle,
    events,
    projectChanges,
    secrets: options.secrets ?? SecretBox.ephemeral(),
    archiveStorageClient: { now, ...options.archiveStorageClient },
  };
  app.decorate('parley', services);
  app.decorateRequest('parley', null);
  app.decorateRequest('logDetails', null);
  const realtimeResources = installRealtime(app, { store, events, now, options: options.realtime });
  const recordingResources =
    options.recording === null
      ? []
      : await installRecording(app, {
          publicUrl: options.publicUrl ?? (() => listeningOrigin(app)),
          options: options.recording ?? {},
        });
  const renderResources =
    options.renders === null
      ? []
      : installRenders(app, {
          publicUrl: options.publicUrl ?? (() => listeningOrigin(app)),
          options: options.renders ?? {},
        });
  const audioConnectorResources = installAudioConnector(app, {
    ...(options.recording?.ffmpegPath ? { ffmpegPath: options.recording.ffmpegPath } : {}),
  });
  const sipResources = installSip(app, {
    ...options.sip,
    ...(options.recording?.ffmpegPath ? { ffmpegPath: options.recording.ffmpegPath } : {}),
  });
  const captionsResources = installCaptions(app, {
    ...(options.recording?.ffmpegPath ? { ffmpegPath: options.recording.ffmpegPath } : {}),
  });
  // The live gauges of /metrics count what the realtime layer holds, read at scrape time.
  metrics.setLiveCountSource(() => {
    let sessions = 0;
    let connections = 0;
    let streams = 0;
    for (const session of app.realtime.registry.sessions) {
      const open = session.connections.length;
      if (open > 0) sessions++;
      connections += open;
      streams += session.streams.length;
    }
    return { sessions, connections, streams };
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    sendApiError(reply, new ApiError('ROUTE_NOT_FOUND', `No endpoint matches ${request.method} ${path}`));
  });
  await registerBodyParsers(app);

  // Hooks on every request are written in callback style: an async hook costs a promise and a microtask
  // turn per request (see bench/PROFILE.md).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const operationId = (request.routeOptions.config as { operationId?: string } | undefined)?.operationId;
    if (lifecycle.phase === 'draining' && !(operationId && ALWAYS_ANSWERED.has(operationId))) {
      reply.header('connection', 'close');
      done(new ApiError('NOT_READY', 'The server is shutting down; retry against another instance'));
      return;
    }
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    // While draining, a finished request must not keep its connection alive: the drain waits for every
    // open connection, so an idle keep-alive socket would hold the shutdown until its timeout.
    if (lifecycle.phase === 'draining') reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onReady', async () => {
    dispatcher.start();
    lifecycle.setPhase('running');
  });
  app.addHook('onClose', async () => {
    lifecycle.setPhase('draining');
    await events.flush();
    await dispatcher.stop();
  });

  await registerSpecRoutes(app, {
    operations: listOperations(spec),
    validators: new SpecValidators(spec),
    resources: [
      ...CORE_RESOURCES,
      ...realtimeResources,
      ...recordingResources,
      ...audioConnectorResources,
      ...captionsResources,
      ...sipResources,
      ...renderResources,
      ...(options.resources ?? []),
    ],
    services,
    verifier: new RestJwtVerifier({ store, account: options.account, now }),
    limiter: rateLimit && rateLimit.ratePerSecond > 0 ? new TokenBucketLimiter({ ...rateLimit, now }) : null,
    idempotency: new IdempotencyGuard(store, now),
  });
  if (options.playground) await registerPlayground(app, { rateLimit, now, ...options.playground });
  return app;
}

/** `http://<address>:<port>` of the app's listening socket (loopback for a wildcard address). */
function listeningOrigin(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') return 'http://127.0.0.1';
  return localUrl(address.address, address.port);
}
