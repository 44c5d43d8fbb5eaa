/**
 * Delivery of project webhooks: signed POSTs with retries and exponential backoff, persisted so that
 * nothing is lost to a restart, and never blocking the request that raised the event.
 *
 * Every delivery is written to `store.webhookDeliveries` before it is sent; the store is the retry queue
 * and the delivery log. An in-memory queue (bounded by `maxQueue`) holds deliveries that are due now.
 * When it is full, a new delivery simply stays pending in the store and a poller picks it up once there is
 * room, so the caller never waits and nothing is dropped. Retries are scheduled in the store too
 * (`nextAttemptAt`) and woken by a timer; after a restart, `start()` resumes whatever is still pending.
 *
 * Retry policy (spec: the webhooks' *Delivery* paragraph): any status other than 2xx, a timeout or a
 * network error fails an attempt; the next attempt follows 5 s, 30 s, 2 min, 10 min, 30 min and 1 h after
 * each failure (seven attempts in all). Every attempt reuses the delivery's `webhook-id` with a fresh
 * timestamp and signature.
 */
import type { ProjectRecord, Store, WebhookDeliveryRecord } from '../store/types.js';
import { newWebhookId, signWebhook } from './signing.js';

/** The logging the dispatcher does; a pino logger fits. */
export interface WebhookLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The delay before each retry, in ms: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];

/** Options of {@link WebhookDispatcher}. */
export interface WebhookDispatcherOptions {
  store: Store;
  logger: WebhookLogger;
  /** The HTTP client. Default: the global `fetch` (undici). */
  fetchImpl?: typeof fetch;
  /** The clock, ms since the Unix epoch. Default `Date.now`. */
  now?: () => number;
  /** Delays before the 2nd, 3rd, … attempt; its length + 1 is the number of attempts. Default {@link DEFAULT_BACKOFF_MS}. */
  backoffMs?: readonly number[];
  /** How many due deliveries are held in memory; the rest wait in the store. Default 1000. */
  maxQueue?: number;
  /** How long one attempt may take before it counts as failed, ms. Default 10 000 (the spec's 10 s). */
  timeoutMs?: number;
  /** How many attempts run at once. Default 16. */
  concurrency?: number;
  /** How often the store is checked for due deliveries (resumed, overflowed), ms. Default 2000. */
  pollIntervalMs?: number;
  /** How long `stop()` waits for attempts in flight before aborting them, ms. Default 10 000. */
  stopTimeoutMs?: number;
  /**
   * Whether 4xx answers are retried. Default true, as the spec documents (a receiver answering 401 during
   * a secret rotation recovers). When false, a 4xx other than 408 and 429 fails the delivery at once.
   */
  retryClientErrors?: boolean;
  /** Called after every attempt with the updated record (metrics, tests). */
  onAttempt?: (delivery: WebhookDeliveryRecord) => void;
}

/** Why an in-flight request was aborted; a stop leaves the delivery pending for the next start. */
const ABORT_TIMEOUT = 'timeout';
const ABORT_STOP = 'stop';

/** Sends project webhooks; see the file comment for the guarantees. */
export class WebhookDispatcher {
  readonly #store: Store;
  readonly #logger: WebhookLogger;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #backoffMs: readonly number[];
  readonly #maxQueue: number;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #pollIntervalMs: number;
  readonly #stopTimeoutMs: number;
  readonly #retryClientErrors: boolean;
  readonly #onAttempt: ((delivery: WebhookDeliveryRecord) => void) | undefined;

  #running = false;
  /** Deliveries due now, oldest first. */
  readonly #queue: WebhookDeliveryRecord[] = [];
  /** IDs queued or in flight, so the poller does not pick them up twice. */
  readonly #claimed = new Set<string>();
  readonly #inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Set when a delivery could not be queued; the next free slot triggers a poll. */
  #backlog = false;
  #polling: Promise<void> | null = null;
  #pollAgain = false;
  #pollTimer: NodeJS.Timeout | undefined;
  readonly #retryTimers = new Set<NodeJS.Timeout>();

  constructor(options: WebhookDispatcherOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#fetch = options.fetchImpl ?? globalThis.fetch;
    this.#now = options.now ?? Date.now;
    this.#backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#maxQueue = positiveInteger('maxQueue', options.maxQueue ?? 1000);
    this.#timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? 10_000);
    this.#concurrency = positiveInteger('concurrency', options.concurrency ?? 16);
    this.#pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? 2000);
    this.#stopTimeoutMs = nonNegativeInteger('stopTimeoutMs', options.stopTimeoutMs ?? 10_000);
    this.#retryClientErrors = options.retryClientErrors ?? true;
    this.#onAttempt = options.onAttempt;
    this.#backoffMs.forEach((delay, i) => {
      nonNegativeInteger(`backoffMs[${i}]`, delay);
    });
  }

  /**
   * Records a delivery of `payload` (serialised as JSON) to `url` and queues it. Resolves once the
   * delivery is persisted, never waiting for the receiver. Before `start()` (or after `stop()`) the
   * delivery is only persisted, and sent after the next `start()`.
   */
  async enqueue(
    project: ProjectRecord,
    url: string,
    event: string,
    payload: unknown,
  ): Promise<WebhookDeliveryRecord> {
    checkUrl(url);
    if (typeof event !== 'string' || event === '') throw new TypeError('event must be a non-empty string');
    const body = JSON.stringify(payload);
    if (body === undefined) throw new TypeError('payload must be JSON-serialisable');
    const at = this.#now();
    const delivery: WebhookDeliveryRecord = {
      id: newWebhookId(),
      applicationId: project.applicationId,
      url,
      event,
      body,
      status: 'pending',
      attempts: 0,
      lastStatusCode: null,
      lastError: null,
      nextAttemptAt: at,
      createdAt: at,
      updatedAt: at,
    };
    await this.#store.webhookDeliveries.put(delivery);
    if (this.#running) {
      if (this.#queue.length < this.#maxQueue) {
        this.#claimed.add(delivery.id);
        this.#queue.push(delivery);
        this.#pump();
      } else {
        this.#backlog = true;
        this.#logger.debug(
          { deliveryId: delivery.id },
          'Webhook queue full; the delivery waits in the store',
        );
      }
    }
    return { ...delivery };
  }

  /** Starts sending: resumes pending deliveries from the store and polls for due ones. Idempotent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#pollTimer = setInterval(() => this.#requestPoll(), this.#pollIntervalMs);
    this.#pollTimer.unref();
    this.#requestPoll();
  }

  /**
   * Stops sending. Waits up to `stopTimeoutMs` for attempts in flight, then aborts the rest; aborted and
   * queued deliveries stay pending in the store and are resumed by the next `start()`.
   */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#pollTimer);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const queued of this.#queue.splice(0)) this.#claimed.delete(queued.id);
    this.#backlog = false;

    const inFlight = () => [...this.#inFlight.values()].map((f) => f.done);
    let bound: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      bound = setTimeout(resolve, this.#stopTimeoutMs);
    });
    await Promise.race([Promise.all(inFlight()), timedOut]);
    clearTimeout(bound);
    for (const { controller } of this.#inFlight.values()) controller.abort(ABORT_STOP);
    await Promise.all(inFlight());
    await this.#polling;
  }

  #requestPoll(): void {
    if (!this.#running) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = this.#poll()
      .catch((error: unknown) =>
        this.#logger.error({ err: error }, 'Polling for due webhook deliveries failed'),
      )
      .finally(() => {
        this.#polling = null;
        if (this.#pollAgain) {
          this.#pollAgain = false;
          this.#requestPoll();
        }
      });
  }

  /** Moves due deliveries from the store into the in-memory queue, as far as it has room. */
  async #poll(): Promise<void> {
    const room = this.#maxQueue - this.#queue.length;
    if (room <= 0) return;
    // Ask for enough rows to fill the room even if every claimed delivery is among the oldest due ones.
    const due = await this.#store.webhookDeliveries.due(this.#now(), room + this.#claimed.size);
    for (const delivery of due) {
      if (!this.#running || this.#queue.length >= this.#maxQueue) break;
      if (this.#claimed.has(delivery.id)) continue;
      this.#claimed.add(delivery.id);
      this.#queue.push(delivery);
    }
    this.#pump();
  }

  /** Starts attempts while there is capacity. */
  #pump(): void {
    while (this.#running && this.#inFlight.size < this.#concurrency) {
      const delivery = this.#queue.shift();
      if (!delivery) return;
      const controller = new AbortController();
      const done = this.#attempt(delivery, controller)
        .catch((error: unknown) =>
          this.#logger.error({ err: error, deliveryId: delivery.id }, 'Recording a webhook attempt failed'),
        )
        .finally(() => {
          this.#inFlight.delete(delivery.id);
          this.#claimed.delete(delivery.id);
          if (this.#backlog) {
            this.#backlog = false;
            this.#requestPoll();
          }
          this.#pump();
        });
      this.#inFlight.set(delivery.id, { controller, done });
    }
  }

  /** Sends one attempt and records its outcome. */
  async #attempt(delivery: WebhookDeliveryRecord, controller: AbortController): Promise<void> {
    // The project is read per attempt so a rotated secret or a deleted project takes effect on retries.
    const project = await this.#store.projects.get(delivery.applicationId);
    if (!project) {
      await this.#record(delivery, { statusCode: null, error: 'The project no longer exists', final: true });
      return;
    }
    const headers = signWebhook({
      secret: project.webhookSecret,
      id: delivery.id,
      timestamp: Math.floor(this.#now() / 1000),
      body: delivery.body,
    });
    const timer = setTimeout(() => controller.abort(ABORT_TIMEOUT), this.#timeoutMs);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await this.#fetch(delivery.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Parley-Webhooks/1' },
        body: delivery.body,
        // A redirect is not an acknowledgement, and following it could reach hosts the owner never named.
        redirect: 'manual',
        signal: controller.signal,
      });
      statusCode = response.status;
      // The body is ignored, but must be consumed or cancelled to free the connection.
      await response.body?.cancel().catch(() => undefined);
      if (statusCode < 200 || statusCode >= 300) error = `The receiver answered HTTP ${statusCode}`;
    } catch (caught) {
      if (controller.signal.reason === ABORT_STOP) return; // Left pending; resumed after the next start().
      error =
        controller.signal.reason === ABORT_TIMEOUT
          ? `No answer within ${this.#timeoutMs} ms`
          : `Request failed: ${describeError(caught)}`;
    } finally {
      clearTimeout(timer);
    }
    const permanent =
      !this.#retryClientErrors &&
      statusCode !== null &&
      statusCode >= 400 &&
      statusCode < 500 &&
      statusCode !== 408 &&
      statusCode !== 429;
    await this.#record(delivery, { statusCode, error, final: permanent });
  }

  /** Stores the outcome of an attempt and schedules the next one when there is one. */
  async #record(
    delivery: WebhookDeliveryRecord,
    outcome: { statusCode: number | null; error: string | null; final: boolean },
  ): Promise<void> {
    const attempts = delivery.attempts + 1;
    const at = this.#now();
    const delay = this.#backoffMs[attempts - 1];
    let status: WebhookDeliveryRecord['status'];
    if (outcome.error === null) status = 'delivered';
    else status = outcome.final || delay === undefined ? 'failed' : 'pending';
    const updated: WebhookDeliveryRecord = {
      ...delivery,
      status,
      attempts,
      lastStatusCode: outcome.statusCode,
      lastError: outcome.error === null ? null : outcome.error.slice(0, 500),
      nextAttemptAt: status === 'pending' && delay !== undefined ? at + delay : null,
      updatedAt: at,
    };
    await this.#store.webhookDeliveries.put(updated);
    const fields = { deliveryId: updated.id, url: updated.url, event: updated.event, attempts, status };
    if (status === 'delivered') this.#logger.debug(fields, 'Webhook delivered');
    else if (status === 'failed')
      this.#logger.warn({ ...fields, error: updated.lastError }, 'Webhook delivery failed');
    else this.#logger.info({ ...fields, error: updated.lastError }, 'Webhook attempt failed; will retry');
    if (status === 'pending' && delay !== undefined) this.#wakeAfter(delay);
    this.#onAttempt?.({ ...updated });
  }

  /** Polls the store once `delay` has passed, when the retry just scheduled falls due. */
  #wakeAfter(delay: number): void {
    if (!this.#running) return;
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#requestPoll();
    }, delay);
    timer.unref();
    this.#retryTimers.add(timer);
  }
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`url must be an absolute http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`url must be an absolute http(s) URL, got "${url}"`);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** Undici wraps the interesting part (ECONNREFUSED, …) in `cause`. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
