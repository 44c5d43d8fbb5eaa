/**
 * The render manager: starts, lists, gets and stops the Experience Composer renders of every project,
 * keeps their records in the store and sends the `renderStatus` webhook on every status change.
 *
 * A render's lifecycle is `starting` (the browser loads the page and publishes it) → `started` (the page
 * is a stream of the session) → `stopped` (reason `Stop Requested`: through the API, or its connection was
 * force-disconnected or its stream force-unpublished; `Max Duration Exceeded`) or `failed` (the page did
 * not load or publish, crashed, navigated away, lost its connection; the server shut down or — found at
 * the next start-up — crashed). `starting` sends no webhook. A render stopped (or out of time) before it
 * published ends `failed`, reason `Stop Requested before the page was published`: a `stopped` render is
 * one that ran, and its webhook carries its stream.
 */
import { randomUUID } from 'node:crypto';
import type { ProjectEvents } from '../../projects/project-events.js';
import type { ProjectRecord, RenderRecord, Store } from '../../store/types.js';
import type { RenderBrowsers } from './chromium.js';
import { RenderError } from './errors.js';
import { type PageEnd, RenderPage } from './render-page.js';
import { assertPublishingToken, normalizeStartParams } from './render-rules.js';
import { renderData, renderStatusEvent, renderView } from './render-view.js';
import type {
  RenderData,
  RenderList,
  RenderSettings,
  RenderStartParams,
  RenderView,
  StopReason,
} from './types.js';

/** The logging the manager does; a pino logger fits. */
export interface RenderLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link RenderManager}. */
export interface RenderManagerOptions {
  store: Store;
  /** Where `renderStatus` webhooks go. */
  events: Pick<ProjectEvents, 'emit'>;
  /** The browsers that render pages. */
  browsers: RenderBrowsers;
  /** The server's public origin, which the rendered page's client joins through. */
  serverUrl: () => string;
  /** The clock of records, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  logger?: RenderLogger;
  /** The timer length for a `maxDuration` in seconds. Default `seconds × 1000`; tests shorten it. */
  maxDurationMs?: (seconds: number) => number;
  /** How long a page may take to load, ms. Default 60 000. */
  loadTimeoutMs?: number;
  /**
   * Removes a render's connection from its session at once. Called when a render ends: a page that left
   * cleanly is already gone (no-op), but one that crashed or navigated away would otherwise linger with
   * its stream until the signaling connection times out.
   */
  dropConnection?: (sessionId: string, connectionId: string) => void;
}

/** How a render ends. */
type Outcome = { status: 'stopped'; reason: StopReason } | { status: 'failed'; reason: string };

/** A render this server is running. */
interface RunningRender {
  record: RenderRecord;
  data: RenderData;
  /** The page, once it exists. */
  page: RenderPage | null;
  timer: NodeJS.Timeout;
  /** Set once the render is ending; resolves when it has ended. */
  ending: Promise<void> | null;
}

const NO_LOGGER: RenderLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** See the file comment. */
export class RenderManager {
  readonly #options: RenderManagerOptions;
  readonly #now: () => number;
  readonly #logger: RenderLogger;
  readonly #running = new Map<string, RunningRender>();
  #closed = false;

  constructor(options: RenderManagerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? NO_LOGGER;
  }

  /** The number of renders starting or started on this server. */
  get runningCount(): number {
    return this.#running.size;
  }

  /**
   * Starts a render into one of `project`'s sessions and returns it, `starting`; the page loads and
   * publishes in the background. Throws a {@link RenderError}: 400 for a bad field or token, 404 when the
   * session does not exist, 409 when it is relayed or end-to-end encrypted, 500 when no browser is set up.
   */
  async start(project: ProjectRecord, params: RenderStartParams): Promise<RenderView> {
    if (this.#closed) throw new RenderError('INTERNAL', 'The render manager is shut down');
    const settings = normalizeStartParams(params);
    const { store } = this.#options;
    const session = await store.sessions.get(settings.sessionId);
    if (!session || session.applicationId !== project.applicationId) {
      throw new RenderError('SESSION_NOT_FOUND', `Session ${settings.sessionId} was not found`);
    }
    if (session.mediaMode === 'relayed') {
      throw new RenderError(
        'RENDER_SESSION_RELAYED',
        'Experience Composer is only available in routed sessions',
      );
    }
    if (session.e2ee) {
      throw new RenderError(
        'SESSION_E2EE_UNSUPPORTED',
        'This feature is not available in end-to-end encrypted sessions',
      );
    }
    const clientProjectId = await assertPublishingToken(
      settings.token,
      session.sessionId,
      project,
      (id) => store.projects.get(id),
      this.#now(),
    );
    await this.#options.browsers.assertAvailable();
    const now = this.#now();
    const data: RenderData = {
      url: settings.url,
      resolution: settings.resolution,
      maxDuration: settings.maxDuration,
      ...(settings.name !== undefined ? { name: settings.name } : {}),
      ...(settings.statusCallbackUrl !== undefined ? { callbackUrl: settings.statusCallbackUrl } : {}),
    };
    const record: RenderRecord = {
      id: randomUUID(),
      applicationId: project.applicationId,
      sessionId: session.sessionId,
      status: 'starting',
      createdAt: now,
      updatedAt: now,
      data: data as unknown as Record<string, unknown>,
    };
    try {
      await store.renders.put(record);
    } catch (error) {
      throw new RenderError('INTERNAL', 'The render could not be stored', { cause: error });
    }
    const maxDurationMs = (this.#options.maxDurationMs ?? ((s: number) => s * 1000))(settings.maxDuration);
    const entry: RunningRender = {
      record,
      data,
      page: null,
      timer: setTimeout(() => {
        void this.#end(entry, { status: 'stopped', reason: 'Max Duration Exceeded' });
      }, maxDurationMs),
      ending: null,
    };
    this.#running.set(record.id, entry);
    this.#logger.info(
      { renderId: record.id, sessionId: session.sessionId, url: settings.url },
      'Render starting',
    );
    void this.#run(entry, clientProjectId, settings);
    return renderView(structuredClone(record), project.apiKey);
  }

  /** One render of `project`. Throws `RENDER_NOT_FOUND`. */
  async get(project: ProjectRecord, renderId: string): Promise<RenderView> {
    return renderView(await this.#record(project, renderId), project.apiKey);
  }

  /** A page of `project`'s renders, newest first. */
  async list(project: ProjectRecord, page: { offset: number; count: number }): Promise<RenderList> {
    const found = await this.#options.store.renders.list(project.applicationId, page);
    return {
      count: found.total,
      items: found.items.map((item) =>
        renderView(this.#running.get(item.id)?.record ?? item, project.apiKey),
      ),
    };
  }

  /**
   * Stops a render (reason `Stop Requested`) and resolves once its page has left the session. Throws
   * `RENDER_NOT_FOUND`, or `RENDER_ALREADY_STOPPED` when it has already ended.
   */
  async stop(project: ProjectRecord, renderId: string): Promise<void> {
    const entry = this.#running.get(renderId);
    if (!entry || entry.record.applicationId !== project.applicationId || entry.ending) {
      await this.#record(project, renderId); // 404 when it does not exist
      throw new RenderError('RENDER_ALREADY_STOPPED', `Render ${renderId} has already stopped`);
    }
    await this.#end(entry, { status: 'stopped', reason: 'Stop Requested' });
  }

  /**
   * Run once at start-up, before serving: renders still `starting` or `started` in the store were cut off
   * by a crash. Each becomes `failed` (webhook `failed`).
   */
  async recover(): Promise<void> {
    const { store } = this.#options;
    const cut = [
      ...(await store.renders.listByStatus('starting')),
      ...(await store.renders.listByStatus('started')),
    ];
    for (const record of cut) {
      if (this.#running.has(record.id)) continue;
      record.status = 'failed';
      record.updatedAt = this.#now();
      record.data = { ...record.data, reason: 'The server restarted while the render was running' };
      await store.renders.put(record);
      this.#logger.warn({ renderId: record.id }, 'A render was cut off by a server restart');
      this.#emitStatus(record);
    }
  }

  /** Ends every running render (`failed`: the server shut down) and closes their pages. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      [...this.#running.values()].map((entry) =>
        this.#end(entry, { status: 'failed', reason: 'The server shut down' }),
      ),
    );
  }

  /**
   * Closes every page and forgets the running renders without recording anything, as a crash would:
   * records stay `starting`/`started` until {@link recover} runs. For tests.
   */
  async abort(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#running.values()];
    this.#running.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.ending = Promise.resolve();
    }
    await Promise.all(entries.map((entry) => entry.page?.close()));
  }

  /** Loads and publishes the page, then waits for the page's side to end it. */
  async #run(entry: RunningRender, clientProjectId: string, settings: RenderSettings): Promise<void> {
    const { record, data } = entry;
    let page: RenderPage;
    try {
      page = await RenderPage.open(
        {
          browsers: this.#options.browsers,
          url: settings.url,
          resolution: settings.resolution,
          serverUrl: this.#options.serverUrl(),
          projectId: clientProjectId,
          sessionId: record.sessionId,
          token: settings.token,
          name: settings.name ?? '',
          loadTimeoutMs: this.#options.loadTimeoutMs ?? 60_000,
          onConsole: (level, text) => {
            this.#logger.info({ renderId: record.id, level, text }, 'Rendered page console');
          },
        },
        (created) => {
          entry.page = created;
          // Stopped before the page existed: the pending open rejects once it is closed.
          if (entry.ending) void created.close();
        },
      );
    } catch (error) {
      // Stopped while starting: the stop already recorded the outcome.
      if (entry.ending) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger.warn({ renderId: record.id, err: error }, 'A render failed to start');
      await this.#end(entry, { status: 'failed', reason });
      return;
    }
    if (entry.ending) {
      // Stopped while the browser was still being launched: the stop found no page to close.
      await page.close();
      return;
    }
    page.on('ended', (end: PageEnd) => {
      void this.#end(
        entry,
        end.kind === 'stopRequested'
          ? { status: 'stopped', reason: 'Stop Requested' }
          : { status: 'failed', reason: end.reason },
      );
    });
    const published = page.published;
    if (published) {
      data.streamId = published.streamId;
      data.connectionId = published.connectionId;
    }
    record.status = 'started';
    record.updatedAt = this.#now();
    this.#emitStatus(record);
    this.#logger.info({ renderId: record.id, streamId: data.streamId }, 'Render started');
    await this.#save(record);
  }

  /** Ends a running render: timer, page, record, webhook. Idempotent per render. */
  #end(entry: RunningRender, outcome: Outcome): Promise<void> {
    entry.ending ??= this.#finish(entry, outcome);
    return entry.ending;
  }

  async #finish(entry: RunningRender, outcome: Outcome): Promise<void> {
    const { record, data } = entry;
    clearTimeout(entry.timer);
    // A `stopped` render is one that published (its webhook carries the stream); one ended before it
    // published never ran, so it failed, for the same reason.
    const ended: Outcome =
      outcome.status === 'stopped' && record.status !== 'started'
        ? { status: 'failed', reason: `${outcome.reason} before the page was published` }
        : outcome;
    record.status = ended.status;
    data.reason = ended.reason;
    record.updatedAt = this.#now();
    try {
      await entry.page?.close();
    } catch (error) {
      this.#logger.error({ err: error, renderId: record.id }, 'A render page did not close cleanly');
    }
    if (data.connectionId !== undefined) this.#options.dropConnection?.(record.sessionId, data.connectionId);
    record.updatedAt = this.#now();
    await this.#save(record);
    this.#running.delete(record.id);
    this.#logger.info({ renderId: record.id, ...ended }, 'Render ended');
    this.#emitStatus(record);
  }

  async #record(project: ProjectRecord, renderId: string): Promise<RenderRecord> {
    const running = this.#running.get(renderId);
    if (running && running.record.applicationId === project.applicationId)
      return structuredClone(running.record);
    const record = await this.#options.store.renders.get(project.applicationId, renderId);
    if (!record) throw new RenderError('RENDER_NOT_FOUND', `Render ${renderId} was not found`);
    return record;
  }

  async #save(record: RenderRecord): Promise<void> {
    try {
      await this.#options.store.renders.put(record);
    } catch (error) {
      this.#logger.error({ err: error, renderId: record.id }, 'Could not store a render');
    }
  }

  #emitStatus(record: RenderRecord): void {
    const timestamp = this.#now();
    const snapshot = structuredClone(record);
    const callbackUrl = renderData(snapshot).callbackUrl;
    void this.#options.store.projects
      .get(snapshot.applicationId)
      .then((project) => {
        if (!project) return;
        this.#options.events.emit(
          project,
          'renderStatus',
          renderStatusEvent(snapshot, project.apiKey, timestamp) as unknown as Record<string, unknown>,
          callbackUrl !== undefined ? { url: callbackUrl } : {},
        );
      })
      .catch((error: unknown) => {
        this.#logger.error({ err: error, renderId: snapshot.id }, 'Could not send a render webhook');
      });
  }
}
