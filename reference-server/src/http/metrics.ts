/**
 * Prometheus metrics of one server instance, on a registry of its own (not prom-client's global one), so
 * several apps in one process — as in tests — never collide.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Options of {@link ServerMetrics}. */
export interface ServerMetricsOptions {
  /** Also collect Node process metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean;
}

/** The server's metrics. The realtime layer sets the connection and stream gauges. */
export class ServerMetrics {
  /** The registry `/metrics` exposes. */
  readonly registry = new Registry();
  /** Completed HTTP requests by method, route template and status. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  /** HTTP request latency in seconds by method and route template. */
  readonly httpDuration: Histogram<'method' | 'route'>;
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

  constructor(options: ServerMetricsOptions = {}) {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests completed, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.sessionsCreated = new Counter({
      name: 'parley_sessions_created_total',
      help: 'Sessions created.',
      registers,
    });
    this.activeSessions = new Gauge({
      name: 'parley_sessions',
      help: 'Sessions with at least one connected client.',
      registers,
    });
    this.activeConnections = new Gauge({
      name: 'parley_connections',
      help: 'Client connections currently open.',
      registers,
    });
    this.activeStreams = new Gauge({
      name: 'parley_streams',
      help: 'Streams currently published.',
      registers,
    });
    this.rateLimited = new Counter({
      name: 'parley_rate_limited_total',
      help: 'Requests refused with 429 by the per-project rate limiter.',
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Records one completed HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
