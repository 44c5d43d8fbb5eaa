/**
 * Proves every operation of the bundled spec is reachable: each operationId is in OPERATION_MAP, each
 * mapped method exists on the client, and calling it sends the spec's method and path.
 */
import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPEC_PATH } from '../scripts/schema-codegen.ts';
import { Parley } from './client.js';
import type { Archive } from './generated/types.js';
import { OPERATION_MAP, type OperationId } from './operations.js';
import { API_KEY, API_SECRET, APPLICATION_ID, SESSION_ID, testKeyPair } from './testing/fixtures.js';
import { type MockApi, startMockApi, TEST_BASE_URL } from './testing/mock-api.js';

interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  tags: string[];
  webhook: boolean;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function specOperations(): SpecOperation[] {
  const spec = JSON.parse(readFileSync(process.env.PARLEY_SPEC_PATH ?? SPEC_PATH, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
    webhooks?: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
  };
  const out: SpecOperation[] = [];
  for (const [section, items] of [
    ['paths', spec.paths],
    ['webhooks', spec.webhooks ?? {}],
  ] as const) {
    for (const [path, item] of Object.entries(items)) {
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!op) continue;
        expect(op.operationId, `${method.toUpperCase()} ${path} has an operationId`).toBeTypeOf('string');
        out.push({
          operationId: op.operationId ?? '',
          method: method.toUpperCase(),
          path,
          tags: op.tags ?? [],
          webhook: section === 'webhooks',
        });
      }
    }
  }
  return out;
}

const ARCHIVE_ID = '5b1e8f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const archiveWithUrl = {
  id: ARCHIVE_ID,
  status: 'available',
  url: `${TEST_BASE_URL}/v2/project/${APPLICATION_ID}/archive/${ARCHIVE_ID}/download?expires=1700000930&signature=${'a'.repeat(64)}`,
} as Archive;

/** One call per SDK-reachable operationId, exercising the mapped method. */
const INVOCATIONS: Partial<Record<OperationId, (video: Parley) => Promise<unknown>>> = {
  createSession: (v) => v.sessions.create(),
  listConnections: (v) => v.connections.list(SESSION_ID),
  forceDisconnect: (v) => v.connections.forceDisconnect(SESSION_ID, 'conn-1'),
  listStreams: (v) => v.streams.list(SESSION_ID),
  setStreamLayoutClasses: (v) =>
    v.streams.setLayoutClasses(SESSION_ID, [{ id: 's1', layoutClassList: ['full'] }]),
  getStream: (v) => v.streams.retrieve(SESSION_ID, 'stream-1'),
  sendSignal: (v) => v.signals.send(SESSION_ID, { type: 'chat', data: 'hi' }),
  sendSignalToConnection: (v) =>
    v.signals.send(SESSION_ID, { type: 'chat', data: 'hi', connectionId: 'conn-1' }),
  muteStream: (v) => v.moderation.muteStream(SESSION_ID, 'stream-1'),
  muteAll: (v) => v.moderation.muteAll(SESSION_ID),
  dial: (v) => v.sip.dial(SESSION_ID, { sip: { uri: 'sip:alice@example.com' } }),
  playDtmf: (v) => v.sip.playDtmf(SESSION_ID, '1p2'),
  playDtmfToConnection: (v) => v.sip.playDtmf(SESSION_ID, '1p2', { connectionId: 'conn-1' }),
  startArchive: (v) => v.archives.start(SESSION_ID),
  listArchives: async (v) => v.archives.list(),
  getArchive: (v) => v.archives.retrieve(ARCHIVE_ID),
  deleteArchive: (v) => v.archives.delete(ARCHIVE_ID),
  stopArchive: (v) => v.archives.stop(ARCHIVE_ID),
  setArchiveLayout: (v) => v.archives.setLayout(ARCHIVE_ID, { type: 'pip' }),
  updateArchiveStreams: (v) => v.archives.addStream(ARCHIVE_ID, 'stream-1'),
  downloadArchive: async (v) => (await v.archives.download(archiveWithUrl)).body.resume(),
  setArchiveStorage: (v) =>
    v.archives.setStorage({ type: 's3', config: { accessKey: 'a', secretKey: 'b', bucket: 'c' } }),
  deleteArchiveStorage: (v) => v.archives.deleteStorage(),
  startBroadcast: (v) => v.broadcasts.start(SESSION_ID, { outputs: { hls: {} } }),
  listBroadcasts: async (v) => v.broadcasts.list(),
  getBroadcast: (v) => v.broadcasts.retrieve('b1'),
  stopBroadcast: (v) => v.broadcasts.stop('b1'),
  setBroadcastLayout: (v) => v.broadcasts.setLayout('b1', { type: 'bestFit' }),
  updateBroadcastStreams: (v) => v.broadcasts.removeStream('b1', 'stream-1'),
  startRender: (v) => v.renders.start(SESSION_ID, { url: 'https://example.com/page' }),
  listRenders: async (v) => v.renders.list(),
  getRender: (v) => v.renders.retrieve('r1'),
  stopRender: (v) => v.renders.stop('r1'),
  startCaptions: (v) => v.captions.start(SESSION_ID),
  stopCaptions: (v) => v.captions.stop('c1'),
  connectAudio: (v) =>
    v.audioConnector.connect(SESSION_ID, { websocket: { uri: 'wss://example.com/audio' } }),
  listCallbacks: (v) => v.callbacks.list(),
  registerCallback: (v) =>
    v.callbacks.register({ group: 'archive', event: 'status', url: 'https://example.com/h' }),
  deleteCallback: (v) => v.callbacks.delete('cb1'),
  createProject: (v) => v.projects.create({ name: 'x' }),
  listProjects: (v) => v.projects.list(),
  getProject: (v) => v.projects.retrieve(API_KEY),
  updateProject: (v) => v.projects.update(API_KEY, { status: 'SUSPENDED' }),
  deleteProject: (v) => v.projects.delete(API_KEY),
  refreshProjectSecret: (v) => v.projects.refreshSecret(API_KEY),
};

function templateRegex(template: string): RegExp {
  const pattern = template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`);
}

let api: MockApi;
let video: Parley;

beforeAll(async () => {
  api = await startMockApi(
    http.post(`${TEST_BASE_URL}/session/create`, () =>
      HttpResponse.json([
        {
          session_id: SESSION_ID,
          project_id: API_KEY,
          partner_id: API_KEY,
          create_dt: 'now',
          media_server_url: '',
        },
      ]),
    ),
    http.get(
      /\/download$/,
      () => new HttpResponse(new Uint8Array([1, 2, 3]), { headers: { 'content-type': 'video/mp4' } }),
    ),
    http.get(/\/(archive|broadcast|render)$/, () => HttpResponse.json({ count: 0, items: [] })),
    http.get(/\/(connection|stream)$/, () => HttpResponse.json({ count: 0, items: [] })),
    http.get(/\/(callback|v2\/project)$/, () => HttpResponse.json([])),
    http.all('*', () => HttpResponse.json({})),
  );
  video = new Parley({
    applicationId: APPLICATION_ID,
    privateKey: testKeyPair().privateKeyPem,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    accountApiKey: '100',
    accountApiSecret: 'account-secret',
    baseUrl: TEST_BASE_URL,
    maxRetries: 0,
  });
});
afterAll(async () => {
  await video.close();
  await api.close();
});

describe('operation coverage', () => {
  const operations = specOperations();

  it('maps every operationId of the spec, and nothing else', () => {
    const inSpec = new Set(operations.map((op) => op.operationId));
    const missing = [...inSpec].filter((id) => !(id in OPERATION_MAP));
    const stale = Object.keys(OPERATION_MAP).filter((id) => !inSpec.has(id));
    expect(missing, 'operations the SDK does not map').toEqual([]);
    expect(stale, 'mapped operations the spec no longer has').toEqual([]);
  });

  it('excludes only client-protocol, operations and webhook operations, plus documented aliases', () => {
    const allowedOthers = new Set(['setBroadcastLayoutWithPost', 'getHlsFile']);
    for (const op of operations) {
      const target = OPERATION_MAP[op.operationId as OperationId];
      if (typeof target !== 'object') continue;
      expect(target.excluded.length, `${op.operationId} has a reason`).toBeGreaterThan(10);
      const excludable =
        op.webhook ||
        op.tags.includes('Client protocol') ||
        op.tags.includes('Operations') ||
        allowedOthers.has(op.operationId);
      expect(excludable, `${op.operationId} (${op.tags.join(', ')}) must be an SDK method`).toBe(true);
    }
  });

  it('every mapped method exists on the client', () => {
    for (const [operationId, target] of Object.entries(OPERATION_MAP)) {
      if (typeof target !== 'string') continue;
      const [resource = '', method = ''] = target.split('.');
      const group = (video as unknown as Record<string, Record<string, unknown>>)[resource];
      expect(typeof group?.[method], `${operationId} → video.${target}`).toBe('function');
    }
  });

  it.each(Object.keys(INVOCATIONS))('%s sends the spec’s method and path', async (operationId) => {
    const op = operations.find((o) => o.operationId === operationId);
    expect(op, `${operationId} is in the spec`).toBeDefined();
    const invoke = INVOCATIONS[operationId as OperationId];
    api.requests.length = 0;
    await invoke?.(video);
    const sent = api.requests.at(-1);
    expect(sent?.method).toBe(op?.method);
    expect(new URL(sent?.url ?? '').pathname).toMatch(templateRegex(op?.path ?? ''));
  });

  it('has an invocation for every SDK-reachable operation', () => {
    const reachable = Object.entries(OPERATION_MAP)
      .filter(([, target]) => typeof target === 'string')
      .map(([id]) => id);
    expect(reachable.filter((id) => !(id in INVOCATIONS))).toEqual([]);
  });
});
