import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory-store.js';
import { createHarness, type Harness, json, projectAuth } from '../../testing/harness.js';

describe('operations endpoints', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('GET /healthz answers ok without credentials', async () => {
    h = await createHarness();
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: 'ok' });
  });

  it('GET /readyz is ready while running, and not ready while draining or when the store fails', async () => {
    const store = createMemoryStore();
    h = await createHarness({ store });
    expect(json(await h.app.inject({ method: 'GET', url: '/readyz' }))).toEqual({
      status: 'ready',
      phase: 'running',
      checks: { store: 'ok' },
    });

    h.app.parley.lifecycle.setPhase('draining');
    const draining = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(draining.statusCode).toBe(503);
    expect(json(draining)).toEqual({ status: 'not_ready', phase: 'draining', checks: { store: 'ok' } });
    // Other calls are refused while draining, with the API's error body.
    const refused = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: await projectAuth(h.project),
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers.connection).toBe('close');
    expect(json(refused)).toMatchObject({ code: 50301 });
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('GET /readyz reports a failing store', async () => {
    const store = createMemoryStore();
    h = await createHarness({ store });
    await store.close();
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(json(res)).toEqual({ status: 'not_ready', phase: 'running', checks: { store: 'failing' } });
  });

  it('GET /metrics exposes request counts and latencies by route template and status', async () => {
    h = await createHarness();
    await h.app.inject({ method: 'POST', url: '/session/create', headers: await projectAuth(h.project) });
    await h.app.inject({ method: 'GET', url: `/v2/project/${h.project.apiKey}/callback`, headers: {} });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain(
      'parley_http_requests_total{method="POST",route="/session/create",status="200"} 1',
    );
    expect(res.body).toContain(
      'parley_http_requests_total{method="GET",route="/v2/project/:projectId/callback",status="401"} 1',
    );
    expect(res.body).toMatch(
      /parley_http_request_duration_seconds_count\{method="POST",route="\/session\/create"\} 1/,
    );
    expect(res.body).toContain('parley_sessions_created_total 1');
    for (const gauge of ['parley_sessions', 'parley_connections', 'parley_streams']) {
      expect(res.body).toContain(`# TYPE ${gauge} gauge`);
    }
  });
});
