/**
 * End to end: every method of every SDK resource, through the SDK, against the real reference server,
 * with both kinds of project credentials. Which operations the server implements is learnt from the
 * server as the suite runs: an operation it does not implement yet answers 501, and the SDK must then
 * surface a typed error carrying the server's code, message and request ID.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIError, InternalServerError, OPERATION_MAP, type Parley } from '../../src/index.js';
import {
  type CredentialStyle,
  type ReferenceServer,
  startReferenceServer,
  startWebhookSink,
  type WebhookSink,
} from './support/reference-server.js';
import { type Fixture, SCENARIOS, type Scenario } from './support/scenarios/index.js';

/** The public methods of every resource mounted on a client, as `resource.method`. */
function resourceMethods(video: Parley): string[] {
  const methods: string[] = [];
  for (const [name, resource] of Object.entries(video)) {
    if (typeof resource !== 'object' || resource === null) continue;
    const prototype = Object.getPrototypeOf(resource) as object;
    for (const key of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if (key !== 'constructor' && typeof descriptor?.value === 'function') methods.push(`${name}.${key}`);
    }
  }
  return methods.sort();
}

/** Checks the SDK's error for a 501 answer, and that it came from the operation the method targets. */
function expectNotImplemented(error: APIError, scenario: Scenario, server: ReferenceServer): void {
  expect(error).toBeInstanceOf(InternalServerError);
  expect(error.status).toBe(501);
  expect(error.code).toBe(50101);
  const body = error.body as { code: number; message: string };
  expect(body).toMatchObject({
    code: 50101,
    message: `${scenario.operationId} is not implemented by this server yet`,
  });
  expect(error.message).toContain(body.message);
  expect(error.requestId).toMatch(/\S/);
  expect(error.request?.url.startsWith(server.url)).toBe(true);
}

describe.each<CredentialStyle>(['application', 'apiKey'])(
  'every SDK method on the reference server (%s credentials)',
  (style) => {
    let server: ReferenceServer;
    let sink: WebhookSink;
    let fixture: Fixture;
    /** operationId → whether the server implements it, as learnt from its answers. */
    const implemented = new Map<string, boolean>();

    beforeAll(async () => {
      [server, sink] = await Promise.all([startReferenceServer(), startWebhookSink()]);
      const video = server.client(style, { maxRetries: 0 });
      // Relayed: a stream is announced on its signaling alone (a routed one waits for media to reach the SFU).
      const { sessionId } = await video.sessions.create({ mediaMode: 'relayed' });
      const live = await server.join(sessionId, await video.tokens.generate(sessionId));
      await live.publish('cam', 'Ada');
      fixture = { video, server, sessionId, live, streamId: 'cam', missingId: randomUUID(), sink };
    }, 60_000);
    afterAll(async () => {
      await Promise.all([server?.close(), sink?.close()]);
    });

    it('has a scenario for every resource method and every SDK operation of the spec', () => {
      const covered = new Set(SCENARIOS.map((s) => s.method));
      expect(resourceMethods(fixture.video).filter((m) => !covered.has(m))).toEqual([]);
      const operations = new Set(SCENARIOS.map((s) => s.operationId));
      const sdkOperations = Object.entries(OPERATION_MAP)
        .filter(([, target]) => typeof target === 'string')
        .map(([operationId]) => operationId);
      expect(sdkOperations.filter((id) => !operations.has(id as never))).toEqual([]);
    });

    it.each(
      SCENARIOS.map(
        (scenario) => [`${scenario.method} → ${scenario.operationId ?? 'local'}`, scenario] as const,
      ),
    )('%s', async (_name, scenario) => {
      let value: unknown;
      let error: unknown;
      try {
        value = await scenario.call(fixture);
      } catch (caught) {
        error = caught;
      }
      if (error instanceof APIError && error.status === 501) {
        expectNotImplemented(error, scenario, server);
        implemented.set(scenario.operationId ?? scenario.method, false);
        return;
      }
      if (scenario.operationId) implemented.set(scenario.operationId, true);
      if ('error' in scenario.outcome) {
        expect(error, `${scenario.method} should fail with ${scenario.outcome.error.name}`).toBeInstanceOf(
          scenario.outcome.error,
        );
        const apiError = error as APIError;
        // The API's error codes start with the HTTP status (40401 for a 404, …).
        expect(String(apiError.code)).toMatch(new RegExp(`^${apiError.status}\\d{2}$`));
        expect(apiError.requestId).toMatch(/\S/);
      } else {
        if (error) throw error;
        await scenario.outcome.result(value, fixture);
      }
    });

    it('learnt the server’s implemented operations from its answers, including the core ones', () => {
      // Sessions, callbacks and projects are what every app needs first; they must never answer 501.
      for (const id of [
        'createSession',
        'registerCallback',
        'listCallbacks',
        'createProject',
        'getProject',
      ]) {
        expect(implemented.get(id), id).toBe(true);
      }
      expect(implemented.size).toBeGreaterThan(20);
    });
  },
);
