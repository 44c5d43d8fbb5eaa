/**
 * One call of every SDK method against the reference server, with what the call must produce once the
 * server implements the operation behind it. The end-to-end suite runs these and decides *at run time*
 * which operations are implemented: an operation the server does not implement yet answers 501, and the
 * suite then checks the SDK's typed error instead of the outcome below.
 */
import { expect } from 'vitest';
import {
  type APIError,
  type Archive,
  BadRequestError,
  ConflictError,
  decodeSessionId,
  NotFoundError,
  type OperationId,
  type Parley,
} from '../../../src/index.js';
import type { LiveClient, ReferenceServer, WebhookSink } from './reference-server.js';

/** What a scenario gets: a client and a live session (one joined client publishing one stream). */
export interface Fixture {
  video: Parley;
  server: ReferenceServer;
  sessionId: string;
  /** The joined client. */
  live: LiveClient;
  streamId: string;
  /** A well-formed ID that names nothing. */
  missingId: string;
  /** Where the project's webhooks can be sent. */
  sink: WebhookSink;
}

/** What a scenario's call must produce when the server implements the operation. */
export type Outcome =
  | { result: (value: unknown, fixture: Fixture) => void | Promise<void> }
  | { error: new (...args: never[]) => APIError };

/** One call of one SDK method. */
export interface Scenario {
  /** `resource.method` on a {@link Parley} client. */
  method: string;
  /** The operation the call reaches (as named in the server’s 501 message); `null` for local methods. */
  operationId: OperationId | null;
  call(fixture: Fixture): PromiseLike<unknown>;
  outcome: Outcome;
}

const notFound: Outcome = { error: NotFoundError };
const resolvesEmpty: Outcome = { result: (value) => expect(value).toBeUndefined() };
const projectDetails: Outcome = {
  result: (value, f) =>
    expect(value).toMatchObject({ applicationId: f.server.credentials.applicationId, status: 'ACTIVE' }),
};
const pageOf = (check: (items: unknown[]) => void): Outcome => ({
  result: (value) => {
    const page = value as { items: unknown[]; totalCount: number };
    expect(Array.isArray(page.items)).toBe(true);
    expect(page.totalCount).toBeGreaterThanOrEqual(page.items.length);
    check(page.items);
  },
});
const bySession = (f: Fixture) => ({ sessionId: f.sessionId });

/** Every scenario; the suite fails when an SDK method or a spec operation has none. */
export const SCENARIOS: readonly Scenario[] = [
  // Local methods, checked against the server's own verifiers
  {
    method: 'tokens.generate',
    operationId: null,
    call: async (f) =>
      f.server.verifyToken(await f.video.tokens.generate(f.sessionId, { role: 'moderator' })),
    outcome: {
      result: (value, f) => expect(value).toMatchObject({ sessionId: f.sessionId, role: 'moderator' }),
    },
  },
  {
    method: 'tokens.generateSync',
    operationId: null,
    call: (f) => f.server.verifyToken(f.video.tokens.generateSync(f.sessionId, { data: 'name=Bo' })),
    outcome: {
      result: (value) => expect(value).toMatchObject({ role: 'publisher', connectionData: 'name=Bo' }),
    },
  },
  {
    method: 'webhooks.verify',
    operationId: null,
    async call(f) {
      await f.video.callbacks.register({
        group: 'connection',
        event: 'created',
        url: `${f.sink.url}/connections`,
      });
      const guest = await f.server.join(f.sessionId, f.video.tokens.generateSync(f.sessionId));
      const delivery = await f.sink.next((d) => d.rawBody.includes(guest.connectionId));
      return { event: f.video.webhooks.verify(delivery.rawBody, delivery.headers).event, guest };
    },
    outcome: {
      result: (value, f) => {
        const { event, guest } = value as { event: Record<string, unknown>; guest: LiveClient };
        expect(event).toMatchObject({ sessionId: f.sessionId, event: 'connectionCreated' });
        expect(JSON.stringify(event)).toContain(guest.connectionId);
      },
    },
  },
  // Sessions, connections, streams, signals, moderation
  {
    method: 'sessions.create',
    operationId: 'createSession',
    call: (f) => f.video.sessions.create({ mediaMode: 'relayed', location: '198.51.100.4' }),
    outcome: {
      result: (value, f) => {
        const session = value as { sessionId: string; mediaMode: string };
        expect(session.mediaMode).toBe('relayed');
        expect(decodeSessionId(session.sessionId).apiKey).toBe(f.server.credentials.apiKey);
      },
    },
  },
  {
    method: 'connections.list',
    operationId: 'listConnections',
    call: (f) => f.video.connections.list(f.sessionId),
    outcome: {
      result: (value, f) =>
        expect(value).toContainEqual(expect.objectContaining({ connectionId: f.live.connectionId })),
    },
  },
  {
    method: 'connections.forceDisconnect',
    operationId: 'forceDisconnect',
    async call(f) {
      const guest = await f.server.join(f.sessionId, await f.video.tokens.generate(f.sessionId));
      await f.video.connections.forceDisconnect(f.sessionId, guest.connectionId);
      return (await guest.closed).code;
    },
    outcome: { result: (code) => expect(code).toBe(1000) },
  },
  {
    method: 'streams.list',
    operationId: 'listStreams',
    call: (f) => f.video.streams.list(f.sessionId),
    outcome: {
      result: (value, f) => expect(value).toContainEqual(expect.objectContaining({ id: f.streamId })),
    },
  },
  {
    method: 'streams.retrieve',
    operationId: 'getStream',
    call: (f) => f.video.streams.retrieve(f.sessionId, f.streamId),
    outcome: {
      result: (value, f) => expect(value).toMatchObject({ id: f.streamId, videoType: 'camera', name: 'Ada' }),
    },
  },
  {
    method: 'streams.setLayoutClasses',
    operationId: 'setStreamLayoutClasses',
    async call(f) {
      await f.video.streams.setLayoutClasses(f.sessionId, [{ id: f.streamId, layoutClassList: ['focus'] }]);
      return f.video.streams.retrieve(f.sessionId, f.streamId);
    },
    outcome: { result: (value) => expect(value).toMatchObject({ layoutClassList: ['focus'] }) },
  },
  {
    method: 'signals.send',
    operationId: 'sendSignal',
    call: (f) => f.video.signals.send(f.sessionId, { type: 'chat', data: 'to everyone' }),
    outcome: resolvesEmpty,
  },
  {
    method: 'signals.send',
    operationId: 'sendSignalToConnection',
    call: (f) =>
      f.video.signals.send(f.sessionId, { type: 'chat', data: 'to one', connectionId: f.live.connectionId }),
    outcome: resolvesEmpty,
  },
  {
    method: 'moderation.muteStream',
    operationId: 'muteStream',
    call: (f) => f.video.moderation.muteStream(f.sessionId, f.streamId),
    outcome: projectDetails,
  },
  {
    method: 'moderation.muteAll',
    operationId: 'muteAll',
    call: (f) => f.video.moderation.muteAll(f.sessionId, { excludedStreamIds: [f.streamId] }),
    outcome: projectDetails,
  },
  {
    method: 'moderation.disableForceMute',
    operationId: 'muteAll',
    call: (f) => f.video.moderation.disableForceMute(f.sessionId),
    outcome: projectDetails,
  },
  // SIP
  {
    method: 'sip.dial',
    operationId: 'dial',
    call: (f) => f.video.sip.dial(f.sessionId, { sip: { uri: 'sip:alice@127.0.0.1;transport=tcp' } }),
    outcome: {
      result: (value) =>
        expect(value).toMatchObject({ id: expect.any(String), connectionId: expect.any(String) }),
    },
  },
  {
    method: 'sip.playDtmf',
    operationId: 'playDtmf',
    call: (f) => f.video.sip.playDtmf(f.sessionId, '1p2#'),
    outcome: resolvesEmpty,
  },
  {
    method: 'sip.playDtmf',
    operationId: 'playDtmfToConnection',
    call: (f) => f.video.sip.playDtmf(f.sessionId, '1', { connectionId: f.missingId }),
    outcome: notFound,
  },
  // Archives
  {
    method: 'archives.start',
    operationId: 'startArchive',
    // The fixture's session is relayed (its stream needs no media), and relayed sessions cannot be
    // recorded: the documented 409. Recording a routed session with real media is tested by the
    // reference server's own archive tests, through this SDK and @vonage/video.
    call: (f) => f.video.archives.start(f.sessionId, { name: 'e2e' }),
    outcome: { error: ConflictError },
  },
  {
    method: 'archives.list',
    operationId: 'listArchives',
    call: (f) => f.video.archives.list(bySession(f)),
    outcome: pageOf(() => {}),
  },
  {
    method: 'archives.retrieve',
    operationId: 'getArchive',
    call: (f) => f.video.archives.retrieve(f.missingId),
    outcome: notFound,
  },
  {
    method: 'archives.stop',
    operationId: 'stopArchive',
    call: (f) => f.video.archives.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'archives.delete',
    operationId: 'deleteArchive',
    call: (f) => f.video.archives.delete(f.missingId),
    outcome: notFound,
  },
  {
    method: 'archives.setLayout',
    operationId: 'setArchiveLayout',
    call: (f) => f.video.archives.setLayout(f.missingId, { type: 'bestFit' }),
    outcome: notFound,
  },
  {
    method: 'archives.addStream',
    operationId: 'updateArchiveStreams',
    call: (f) => f.video.archives.addStream(f.missingId, f.streamId),
    outcome: notFound,
  },
  {
    method: 'archives.removeStream',
    operationId: 'updateArchiveStreams',
    call: (f) => f.video.archives.removeStream(f.missingId, f.streamId),
    outcome: notFound,
  },
  {
    method: 'archives.download',
    operationId: 'downloadArchive',
    call(f) {
      // A link the server did not sign (no `expires`/`signature`): refused, never streamed.
      const url = `${f.server.url}/v2/project/${f.video.projectId}/archive/${f.missingId}/download`;
      return f.video.archives.download({ id: f.missingId, status: 'available', url } as Archive);
    },
    outcome: { error: BadRequestError },
  },
  {
    method: 'archives.setStorage',
    operationId: 'setArchiveStorage',
    call: (f) =>
      f.video.archives.setStorage({
        type: 's3',
        config: {
          bucket: 'archives',
          accessKey: 'AKIA',
          secretKey: 'secret',
          endpoint: 'http://127.0.0.1:9',
        },
      } as Parameters<Parley['archives']['setStorage']>[0]),
    // The server writes a test object first; nothing listens on port 9.
    outcome: { error: BadRequestError },
  },
  {
    method: 'archives.deleteStorage',
    operationId: 'deleteArchiveStorage',
    call: (f) => f.video.archives.deleteStorage(),
    outcome: resolvesEmpty,
  },
  // Broadcasts
  {
    method: 'broadcasts.start',
    operationId: 'startBroadcast',
    // Relayed sessions cannot be broadcast either (409); see archives.start.
    call: (f) => f.video.broadcasts.start(f.sessionId, { outputs: { hls: {} } }),
    outcome: { error: ConflictError },
  },
  {
    method: 'broadcasts.list',
    operationId: 'listBroadcasts',
    call: (f) => f.video.broadcasts.list(bySession(f)),
    outcome: pageOf(() => {}),
  },
  {
    method: 'broadcasts.retrieve',
    operationId: 'getBroadcast',
    call: (f) => f.video.broadcasts.retrieve(f.missingId),
    outcome: notFound,
  },
  {
    method: 'broadcasts.stop',
    operationId: 'stopBroadcast',
    call: (f) => f.video.broadcasts.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'broadcasts.setLayout',
    operationId: 'setBroadcastLayout',
    call: (f) => f.video.broadcasts.setLayout(f.missingId, { type: 'pip' }),
    outcome: notFound,
  },
  {
    method: 'broadcasts.addStream',
    operationId: 'updateBroadcastStreams',
    call: (f) => f.video.broadcasts.addStream(f.missingId, f.streamId),
    outcome: notFound,
  },
  {
    method: 'broadcasts.removeStream',
    operationId: 'updateBroadcastStreams',
    call: (f) => f.video.broadcasts.removeStream(f.missingId, f.streamId),
    outcome: notFound,
  },
  // Experience Composer, captions, Audio Connector
  {
    method: 'renders.start',
    operationId: 'startRender',
    call: (f) => f.video.renders.start(f.sessionId, { url: 'http://127.0.0.1:9/page' }),
    outcome: {
      result: (value, f) => expect(value).toMatchObject({ sessionId: f.sessionId, id: expect.any(String) }),
    },
  },
  {
    method: 'renders.list',
    operationId: 'listRenders',
    call: (f) => f.video.renders.list(),
    outcome: pageOf(() => {}),
  },
  {
    method: 'renders.retrieve',
    operationId: 'getRender',
    call: (f) => f.video.renders.retrieve(f.missingId),
    outcome: notFound,
  },
  {
    method: 'renders.stop',
    operationId: 'stopRender',
    call: (f) => f.video.renders.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'captions.start',
    operationId: 'startCaptions',
    call: (f) => f.video.captions.start(f.sessionId, { languageCode: 'en-US' }),
    outcome: { result: (value) => expect(value).toMatchObject({ captionsId: expect.any(String) }) },
  },
  {
    method: 'captions.stop',
    operationId: 'stopCaptions',
    call: (f) => f.video.captions.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'audioConnector.connect',
    operationId: 'connectAudio',
    call: (f) =>
      f.video.audioConnector.connect(f.sessionId, { websocket: { uri: 'ws://127.0.0.1:9/audio' } }),
    outcome: {
      result: (value) =>
        expect(value).toMatchObject({ id: expect.any(String), connectionId: expect.any(String) }),
    },
  },
  // Callbacks
  {
    method: 'callbacks.register',
    operationId: 'registerCallback',
    call: (f) =>
      f.video.callbacks.register({ group: 'archive', event: 'status', url: 'http://127.0.0.1:9/archive' }),
    outcome: {
      result: (value) =>
        expect(value).toMatchObject({
          id: expect.any(String),
          group: 'archive',
          url: 'http://127.0.0.1:9/archive',
        }),
    },
  },
  {
    method: 'callbacks.list',
    operationId: 'listCallbacks',
    async call(f) {
      const registered = await f.video.callbacks.register({
        group: 'stream',
        event: 'created',
        url: 'http://127.0.0.1:9/s',
      });
      return { registered, listed: await f.video.callbacks.list() };
    },
    outcome: {
      result: (value) => {
        const { registered, listed } = value as { registered: { id: string }; listed: { id: string }[] };
        expect(listed.map((c) => c.id)).toContain(registered.id);
      },
    },
  },
  {
    method: 'callbacks.delete',
    operationId: 'deleteCallback',
    async call(f) {
      const registered = await f.video.callbacks.register({
        group: 'stream',
        event: 'destroyed',
        url: 'http://127.0.0.1:9/d',
      });
      await f.video.callbacks.delete(registered.id);
      return { id: registered.id, listed: await f.video.callbacks.list() };
    },
    outcome: {
      result: (value) => {
        const { id, listed } = value as { id: string; listed: { id: string }[] };
        expect(listed.map((c) => c.id)).not.toContain(id);
      },
    },
  },
  // Account-level project management (account credentials from the server's bootstrap)
  {
    method: 'projects.create',
    operationId: 'createProject',
    call: (f) => f.video.projects.create({ name: 'e2e scratch' }),
    outcome: {
      result: (value) =>
        expect(value).toMatchObject({ name: 'e2e scratch', status: 'ACTIVE', secret: expect.any(String) }),
    },
  },
  {
    method: 'projects.list',
    operationId: 'listProjects',
    call: (f) => f.video.projects.list(),
    outcome: {
      result: (value, f) =>
        expect(value).toContainEqual(
          expect.objectContaining({ applicationId: f.server.credentials.applicationId }),
        ),
    },
  },
  {
    method: 'projects.retrieve',
    operationId: 'getProject',
    call: (f) => f.video.projects.retrieve(f.server.credentials.apiKey),
    outcome: projectDetails,
  },
  {
    method: 'projects.update',
    operationId: 'updateProject',
    async call(f) {
      const { id } = await f.video.projects.create({ name: 'before' });
      return f.video.projects.update(id, { name: 'after' });
    },
    outcome: { result: (value) => expect(value).toMatchObject({ name: 'after' }) },
  },
  {
    method: 'projects.refreshSecret',
    operationId: 'refreshProjectSecret',
    async call(f) {
      const created = await f.video.projects.create({ name: 'rotating' });
      const refreshed = await f.video.projects.refreshSecret(created.id);
      return { before: created.secret, after: refreshed };
    },
    outcome: {
      result: (value) => {
        const { before, after } = value as { before: string; after: { secret?: string } };
        expect(after.secret).toEqual(expect.any(String));
        expect(after.secret).not.toBe(before);
      },
    },
  },
  {
    method: 'projects.delete',
    operationId: 'deleteProject',
    async call(f) {
      const { id } = await f.video.projects.create({ name: 'doomed' });
      await f.video.projects.delete(id);
      return f.video.projects.retrieve(id);
    },
    outcome: notFound,
  },
];
