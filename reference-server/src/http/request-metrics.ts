/**
 * The per-request HTTP metrics (`parley_http_requests_total`, `parley_http_request_duration_seconds`),
 * tallied in plain numbers per route and method and turned into Prometheus samples only when scraped.
 *
 * prom-client's labelled `inc` and `observe` build a label hash string and look it up on every call: in a
 * `perf` profile of an authenticated request that was ≈ 4 % of the server's CPU (see `bench/PROFILE.md`,
 * fourth round), for two numbers that Prometheus reads every few seconds. Here a request costs two map
 * lookups by strings Fastify already holds, a counter increment and a bucket search; the labels are
 * written out at scrape time. The exposition is what prom-client writes for a counter and a histogram.
 */
import type { Registry } from 'prom-client';

/** The tallies of one route and method. */
interface RouteTally {
  readonly method: string;
  readonly route: string;
  /** Requests by response status. */
  readonly byStatus: Map<number, number>;
  /** Requests per bucket (not cumulative); the last slot counts those above every bound. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** A sample as prom-client's registry prints it. */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** What prom-client's registry reads from a metric it exposes (its `Metric` shape, structurally). */
interface ExposedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

/** The two request metrics, registered in `registry` under their Prometheus names. */
export class RequestMetrics {
  readonly #bounds: readonly number[];
  /** route → method → tally. */
  readonly #tallies = new Map<string, Map<string, RouteTally>>();

  constructor(registry: Registry, bounds: readonly number[]) {
    if (bounds.some((bound, i) => !(bound > (bounds[i - 1] ?? Number.NEGATIVE_INFINITY)))) {
      throw new RangeError('bucket bounds must increase');
    }
    this.#bounds = bounds;
    const requests: ExposedMetric = {
      name: 'parley_http_requests_total',
      help: 'HTTP requests completed, by method, route template and status code.',
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({ ...describe(requests), values: this.#requestSamples() }),
      reset: () => this.#tallies.clear(),
    };
    const durations: ExposedMetric = {
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method and route template.',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ ...describe(durations), values: this.#durationSamples(durations.name) }),
      reset: () => this.#tallies.clear(),
    };
    // The registry only calls `get` and `reset`, which these provide; its type names prom-client's classes.
    for (const metric of [requests, durations]) {
      registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
    }
  }

  /** Records one completed request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#tallies.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.#tallies.set(route, byMethod);
    }
    let tally = byMethod.get(method);
    if (!tally) {
      tally = {
        method,
        route,
        byStatus: new Map(),
        buckets: new Float64Array(this.#bounds.length + 1),
        sum: 0,
        count: 0,
      };
      byMethod.set(method, tally);
    }
    tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
    const bounds = this.#bounds;
    let bucket = 0;
    // Prometheus buckets are "less than or equal to" their bound.
    while (bucket < bounds.length && seconds > (bounds[bucket] as number)) bucket++;
    tally.buckets[bucket] = (tally.buckets[bucket] ?? 0) + 1;
    tally.sum += seconds;
    tally.count++;
  }

  *#each(): Generator<RouteTally> {
    for (const byMethod of this.#tallies.values()) yield* byMethod.values();
  }

  #requestSamples(): Sample[] {
    const samples: Sample[] = [];
    for (const tally of this.#each()) {
      for (const [status, value] of tally.byStatus) {
        samples.push({ labels: { method: tally.method, route: tally.route, status: String(status) }, value });
      }
    }
    return samples;
  }

  #durationSamples(name: string): Sample[] {
    const samples: Sample[] = [];
    for (const tally of this.#each()) {
      const labels = { method: tally.method, route: tally.route };
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += tally.buckets[i] as number;
        samples.push({ metricName: `${name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
      });
      samples.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: tally.count });
      samples.push({ metricName: `${name}_sum`, labels, value: tally.sum });
      samples.push({ metricName: `${name}_count`, labels, value: tally.count });
    }
    return samples;
  }
}

function describe(metric: ExposedMetric): { name: string; help: string; type: string; aggregator: 'sum' } {
  return { name: metric.name, help: metric.help, type: metric.type, aggregator: metric.aggregator };
}
