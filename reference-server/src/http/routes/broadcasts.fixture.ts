/**
 * Test support (not a test file): the app with the broadcasts resource, listening on 127.0.0.1, a
 * {@link BroadcastManager} on a temporary work directory, fake live sessions ({@link FakeMediaSource})
 * behind a small provider, and the webhooks the manager sends, captured.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastManager, type BroadcastManagerOptions } from '../../recording/broadcasts/index.js';
import { FakeMediaSources } from '../../recording/testing/fake-media-sources.js';
import type { ProjectRecord, SessionRecord } from '../../store/types.js';
import { createHarness, type Harness, projectAuth } from '../../testing/harness.js';
import { encodeSessionId } from '../../tokens/session-id.js';
import { broadcastsResource } from './broadcasts.js';

/** A webhook the manager sent. */
export interface SentWebhook {
  project: ProjectRecord;
  name: string;
  payload: Record<string, unknown>;
}

/** The running test app. */
export interface BroadcastFixture {
  harness: Harness;
  baseUrl: string;
  manager: BroadcastManager;
  mediaSources: FakeMediaSources;
  workDirectory: string;
  webhooks: SentWebhook[];
  /** Creates a session record of the harness's project. */
  createSession(options?: Partial<Pick<SessionRecord, 'mediaMode' | 'e2ee'>>): Promise<string>;
  /** A request with project credentials over real HTTP. */
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: () => Promise<unknown> }>;
  /** `/v2/project/{apiKey}` + `path`. */
  projectPath(path: string): string;
  close(): Promise<void>;
}

/** Starts the fixture. */
export async function startBroadcastFixture(
  options: Partial<Omit<BroadcastManagerOptions, 'store' | 'events' | 'mediaSources' | 'workDirectory'>> = {},
): Promise<BroadcastFixture> {
  const workDirectory = await mkdtemp(join(tmpdir(), 'parley-broadcasts-'));
  const mediaSources = new FakeMediaSources();
  const webhooks: SentWebhook[] = [];
  let baseUrl = '';
  let manager: BroadcastManager | undefined;
  const harness = await createHarness({
    // The broadcast operations come from the manager under test, not the app's own recording.
    recording: null,
    resources: [
      {
        name: 'broadcasts-under-test',
        handlers: (services) => {
          manager = new BroadcastManager({
            store: services.store,
            events: { emit: (project, name, payload) => webhooks.push({ project, name, payload }) },
            mediaSources,
            workDirectory,
            hlsBaseUrl: () => baseUrl,
            ...options,
          });
          return broadcastsResource(manager).handlers(services);
        },
      },
    ],
  });
  if (!manager) throw new Error('the broadcasts resource was not registered');
  const ready = manager;
  await ready.recover();
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  const address = harness.app.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening on TCP');
  baseUrl = `http://127.0.0.1:${address.port}`;
  const { project } = harness;
  return {
    harness,
    baseUrl,
    manager: ready,
    mediaSources,
    workDirectory,
    webhooks,
    async createSession(overrides = {}) {
      const now = Date.now();
      const sessionId = encodeSessionId({ ...project, location: null, createdAt: now });
      await harness.store.sessions.create({
        sessionId,
        applicationId: project.applicationId,
        mediaMode: 'routed',
        archiveMode: 'manual',
        location: null,
        e2ee: false,
        archiveName: null,
        archiveResolution: null,
        createdAt: now,
        ...overrides,
      });
      return sessionId;
    },
    async call(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(await projectAuth(project)),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: () => response.json() as Promise<unknown> };
    },
    projectPath: (path) => `/v2/project/${project.apiKey}${path}`,
    async close() {
      await ready.close();
      await harness.close();
      await rm(workDirectory, { recursive: true, force: true });
    },
  };
}
