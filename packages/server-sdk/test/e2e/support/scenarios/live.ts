/**
 * Scenarios of the local methods (tokens, session IDs) and of sessions, connections, streams, signals, moderation and SIP
 */
import { expect } from 'vitest';
import { decodeSessionId } from '../../../../src/index.js';
import type { LiveClient } from '../reference-server.js';
import { notFound, projectDetails, resolvesEmpty, type Scenario } from './types.js';

/** Scenarios of the local methods (tokens, session IDs) and of sessions, connections, streams, signals, moderation and SIP. */
export const LIVE_SCENARIOS: readonly Scenario[] = [
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
    // SIP calls join routed sessions only (the fixture's session is relayed: 409). The call is placed in
    // the background: nothing listens on 127.0.0.1:5060/tcp, so it fails later (a 503 webhook), after the
    // dial has answered with the call.
    call: async (f) =>
      f.video.sip.dial((await f.video.sessions.create({ mediaMode: 'routed' })).sessionId, {
        sip: { uri: 'sip:alice@127.0.0.1;transport=tcp' },
      }),
    outcome: {
      result: (value) =>
        expect(value).toMatchObject({
          id: expect.any(String),
          connectionId: expect.any(String),
          streamId: expect.any(String),
        }),
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
];
