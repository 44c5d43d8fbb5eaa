/**
 * Prometheus metrics of one server instance, on a registry of its own (not prom-client's global one), so
 * several apps in one process — as in tests — never collide.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

/** Options of {@link ServerMetrics}. */
export interface ServerMetricsOptions {
  /** Also collect Node process metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean;
}

/** What is live right now, as the realtime layer counts it. */
export interface LiveCounts {
  /** Sessions with at least one connected client. */
  sessions: number;
  /** Client connections currently open. */
  connections: number;
  /** Streams currently published. */
  streams: number;
}

/**
 * The server's metrics. The session, connection and stream gauges are read at scrape time from the source
 * registered with {@link ServerMetrics.setLiveCountSource} (the realtime layer); without one they are 0.
 */
export class ServerMetrics {
  /** The registry `/metrics` exposes. */
  readonly registry = new Registry();
  /**
   * Completed HTTP requests by method, route template and status, and their latency in seconds by method
   * and route template (`parley_http_requests_total`, `parley_http_request_duration_seconds`).
   */
  readonly requests: RequestMetrics;
  /** Sessions created through `POST /session/create`. */
  readonly sessionsCreated: Counter;
  /** Sessions that currently have at least one connected client. */
  readonly activeSessions: Gauge;
  /** Client connections currently open. */
  readonly activeConnections: Gauge;
  /** Streams currently published. */
  readonly activeStreams: Gauge;
  /** Requests refused by the per-project rate limiter. */
  readonly rateLimited: Counter;
  #liveCounts: (() => LiveCounts) | null = null;

  constructor(options: ServerMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new RequestMetrics(
      this.registry,
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
    this.sessionsCreated = new Counter({
      name: 'parley_sessions_created_total',
      help: 'Sessions created.',
      registers,
    });
    // Pulled at scrape time, so the numbers are exact whenever Prometheus looks, with no bookkeeping on
    // every join and leave.
    this.activeSessions = new Gauge({
      name: 'parley_sessions',
      help: 'Sessions with at least one connected client.',
      registers,
      collect: () => this.activeSessions.set(this.#readLiveCounts().sessions),
    });
    this.activeConnections = new Gauge({
      name: 'parley_connections',
      help: 'Client connections currently open.',
      registers,
      collect: () => this.activeConnections.set(this.#readLiveCounts().connections),
    });
    this.activeStreams = new Gauge({
      name: 'parley_streams',
      help: 'Streams currently published.',
      registers,
      collect: () => this.activeStreams.set(this.#readLiveCounts().streams),
    });
    this.rateLimited = new Counter({
      name: 'parley_rate_limited_total',
      help: 'Requests refused with 429 by the per-project rate limiter.',
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Registers where the live gauges come from (replacing any earlier source). The realtime layer calls it
   * once; the function runs on every scrape and must be cheap.
   */
  setLiveCountSource(source: () => LiveCounts): void {
    this.#liveCounts = source;
  }

  #readLiveCounts(): LiveCounts {
    return this.#liveCounts?.() ?? { sessions: 0, connections: 0, streams: 0 };
  }

  /** Records one completed HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe(method, route, status, seconds);
  }
}
