import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.js';

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The same requests, as prom-client's own counter and histogram record them. */
function promClientReference(observations: [string, string, number, number][]): Registry {
  const registry = new Registry();
  const requests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests completed, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request latency in seconds, by method and route template.',
    labelNames: ['method', 'route'],
    buckets: BOUNDS,
    registers: [registry],
  });
  for (const [method, route, status, seconds] of observations) {
    requests.inc({ method, route, status: String(status) });
    durations.observe({ method, route }, seconds);
  }
  return registry;
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean).sort();

describe('RequestMetrics', () => {
  it('exposes exactly what prom-client would for the same requests', async () => {
    const observations: [string, string, number, number][] = [
      ['POST', '/session/create', 200, 0.0004],
      ['POST', '/session/create', 200, 0.001], // on a bound: counted in it (le)
      ['POST', '/session/create', 400, 0.0031],
      ['GET', '/v2/project/:projectId/callback', 200, 0.02],
      ['GET', '/v2/project/:projectId/callback', 401, 7], // above every bound: only +Inf
      ['POST', '/session/create', 200, 0.3],
      ['GET', 'unmatched', 404, 0.0001],
    ];
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, BOUNDS);
    for (const [method, route, status, seconds] of observations)
      metrics.observe(method, route, status, seconds);
    expect(lines(await registry.metrics())).toEqual(lines(await promClientReference(observations).metrics()));
  });

  it('exposes no samples before the first request, and none after a reset', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, BOUNDS);
    expect(await registry.metrics()).not.toContain('parley_http_requests_total{');
    metrics.observe('GET', '/healthz', 200, 0.0002);
    expect(await registry.metrics()).toContain(
      'parley_http_requests_total{method="GET",route="/healthz",status="200"} 1',
    );
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('parley_http_requests_total{');
  });

  it('refuses bucket bounds that do not increase', () => {
    expect(() => new RequestMetrics(new Registry(), [0.1, 0.1])).toThrow(/increase/);
    expect(() => new RequestMetrics(new Registry(), [1, 0.5])).toThrow(/increase/);
  });
});
