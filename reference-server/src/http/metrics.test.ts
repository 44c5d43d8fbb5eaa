import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../test/e2e/support/app-fixture.js';
import { ServerMetrics } from './metrics.js';

const gauge = (text: string, name: string): number | null => {
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
};

describe('ServerMetrics live gauges', () => {
  it('read the registered source at scrape time, and are 0 without one', async () => {
    const metrics = new ServerMetrics({ processMetrics: false });
    expect(gauge(await metrics.registry.metrics(), 'parley_connections')).toBe(0);
    let counts = { sessions: 1, connections: 3, streams: 2 };
    metrics.setLiveCountSource(() => counts);
    const first = await metrics.registry.metrics();
    expect([
      gauge(first, 'parley_sessions'),
      gauge(first, 'parley_connections'),
      gauge(first, 'parley_streams'),
    ]).toEqual([1, 3, 2]);
    counts = { sessions: 0, connections: 0, streams: 0 };
    expect(gauge(await metrics.registry.metrics(), 'parley_connections')).toBe(0);
  });
});

describe('/metrics of the app', () => {
  let fx: AppFixture;
  beforeAll(async () => {
    fx = await startAppFixture();
  });
  afterAll(() => fx.close());

  it('counts the sessions with clients and the clients connected through the gateway', async () => {
    const scrape = async () => (await fx.harness.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(gauge(await scrape(), 'parley_connections')).toBe(0);
    const first = await fx.createSession();
    const second = await fx.createSession();
    const alice = await fx.join(first);
    await fx.join(first);
    await fx.join(second);
    const during = await scrape();
    expect(gauge(during, 'parley_sessions')).toBe(2);
    expect(gauge(during, 'parley_connections')).toBe(3);
    expect(gauge(during, 'parley_streams')).toBe(0);
    await alice.client.goodbye();
    await expect.poll(async () => gauge(await scrape(), 'parley_connections')).toBe(2);
  });
});
