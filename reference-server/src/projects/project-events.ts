/**
 * Project events → webhooks. A feature that produces an event (a client connects, an archive changes
 * status, …) calls `emit(project, 'archiveStatus', payload)`; this finds the URLs registered for the
 * event — through `POST …/callback` and in the project's settings (`callbackUrls`, keyed by group) — and
 * hands one delivery per URL to the webhook dispatcher, which signs, sends and retries it.
 *
 * `emit` never blocks or throws: the caller's request or realtime message is not held up by webhooks, and
 * a failure to record a delivery is logged.
 */
import type { CallbackRecord, ProjectRecord, Store } from '../store/types.js';
import type { WebhookDispatcher, WebhookLogger } from '../webhooks/dispatcher.js';

/** The webhooks of the spec and the (`group`, `event`) callback pair each is registered under. */
export const WEBHOOK_CALLBACKS = {
  connectionCreated: { group: 'connection', event: 'created' },
  connectionDestroyed: { group: 'connection', event: 'destroyed' },
  streamCreated: { group: 'stream', event: 'created' },
  streamDestroyed: { group: 'stream', event: 'destroyed' },
  sessionCreated: { group: 'session', event: 'created' },
  sessionDestroyed: { group: 'session', event: 'destroyed' },
  archiveStatus: { group: 'archive', event: 'status' },
  broadcastStatus: { group: 'broadcast', event: 'status' },
  sipCallEvent: { group: 'sip_call', event: 'status' },
  renderStatus: { group: 'render', event: 'status' },
  captionsStatus: { group: 'captions', event: 'status' },
} as const satisfies Record<string, { group: string; event: string }>;

/** The name of a webhook of the spec. */
export type WebhookName = keyof typeof WEBHOOK_CALLBACKS;

/** Options of {@link ProjectEvents.emit}. */
export interface EmitOptions {
  /**
   * A URL that replaces the project's registrations for this one event (a render's or captioning's own
   * `statusCallbackUrl`).
   */
  url?: string;
}

/** Turns project events into webhook deliveries. */
export class ProjectEvents {
  readonly #store: Store;
  readonly #dispatcher: WebhookDispatcher;
  readonly #logger: WebhookLogger;
  /** Emissions still being recorded; `flush()` waits for them (shutdown, tests). */
  readonly #pending = new Set<Promise<void>>();

  constructor(options: { store: Store; dispatcher: WebhookDispatcher; logger: WebhookLogger }) {
    this.#store = options.store;
    this.#dispatcher = options.dispatcher;
    this.#logger = options.logger;
  }

  /** Queues `payload` for every URL registered for `webhook` in `project`. Returns at once. */
  emit(
    project: ProjectRecord,
    webhook: WebhookName,
    payload: Record<string, unknown>,
    options: EmitOptions = {},
  ): void {
    const work = this.#deliver(project, webhook, payload, options).catch((error: unknown) => {
      this.#logger.error(
        { err: error, webhook, applicationId: project.applicationId },
        'Could not queue a webhook',
      );
    });
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }

  /** Resolves once every emission so far has been recorded in the delivery log. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** The distinct URLs that receive `webhook` for `project`, registrations first. */
  async urlsFor(project: ProjectRecord, webhook: WebhookName): Promise<string[]> {
    const { group, event } = WEBHOOK_CALLBACKS[webhook];
    const registered = (await this.#store.callbacks.list(project.applicationId)).filter(
      (c: CallbackRecord) => c.group === group && c.event === event,
    );
    const urls = registered.map((c) => c.url);
    const fromSettings = project.callbackUrls[group];
    if (fromSettings) urls.push(fromSettings);
    return [...new Set(urls)];
  }

  async #deliver(
    project: ProjectRecord,
    webhook: WebhookName,
    payload: Record<string, unknown>,
    options: EmitOptions,
  ): Promise<void> {
    const urls = options.url ? [options.url] : await this.urlsFor(project, webhook);
    for (const url of urls) await this.#dispatcher.enqueue(project, url, webhook, payload);
  }
}
