/**
 * `startCaptions` / `stopCaptions` through the app: the refusals with their codes and messages, then real
 * captioning — synthetic speech published through the SFU, recognised by PocketSphinx, delivered as
 * `caption1` data messages to the subscriber that turned captions on (and to no one else) — with partial
 * and final results, 409 for a second start, idempotent stops, the `captionsStatus` webhooks, and the
 * stops at `maxDuration` and when the session ends. Media tests are skipped, with the reason, where
 * espeak-ng or PocketSphinx is missing.
 */
import { parseRaptorUri, type RaptorMessage } from '@parley/protocol';
import OpenTok from 'opentok';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../http/errors.js';
import type { BoundRequestContext } from '../../realtime/handlers/context.js';
import { updateSubscriber } from '../../realtime/handlers/subscriber.js';
import type { LiveConnection, OutboundMessage } from '../../realtime/session/types.js';
import { waitFor } from '../../recording/testing/media-checks.js';
import type { SessionRecord, TokenRole } from '../../store/types.js';
import { createHarness, type Harness, projectAuth } from '../../testing/harness.js';
import { encodeSessionId } from '../../tokens/session-id.js';
import { CaptionsService } from './captions-service.js';
import { defaultModelsDirectory, defaultPythonPath, probeRecognizer } from './languages.js';
import { opusDecoderFactory } from './stream-captioner.js';
import {
  PHRASE_WORDS,
  publishSpeech,
  type SpeechStream,
  speechOpus,
  speechTestsUnavailable,
} from './testing/speech.js';

const unavailable = await speechTestsUnavailable();
const SPOKEN = new RegExp(`\\b(${PHRASE_WORDS.join('|')})\\b`);

let harness: Harness;
let opentok: OpenTok;
beforeAll(async () => {
  harness = await createHarness({ recording: null, renders: null });
  opentok = new OpenTok(harness.project.apiKey, harness.project.apiSecret);
});
afterAll(async () => {
  await harness.close();
});

async function createSession(
  overrides: Partial<Pick<SessionRecord, 'mediaMode' | 'e2ee'>> = {},
): Promise<string> {
  const { project } = harness;
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
}

const token = (sessionId: string, role: TokenRole = 'moderator'): string =>
  opentok.generateToken(sessionId, { role });

async function call(url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await harness.app.inject({
    method: 'POST',
    url: `/v2/project/${harness.project.apiKey}/${url}`,
    headers: { ...(await projectAuth(harness.project)), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  };
}

const start = (body: Record<string, unknown>) => call('captions', body);
const stop = (captionsId: string) => call(`captions/${captionsId}/stop`);

async function expectRefusal(body: Record<string, unknown>, status: number, code: number, message: RegExp) {
  const response = await start(body);
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(response.body.message).toMatch(message);
}

describe('startCaptions and stopCaptions refusals', () => {
  it('answers 404 for an unknown session and for an unknown captions ID', async () => {
    const sessionId = await createSession();
    await expectRefusal({ sessionId: `${sessionId}x`, token: token(sessionId) }, 404, 40401, /was not found/);
    const unknown = await stop('7c0680fc-6274-4de5-a66f-d0648e8d3ac2');
    expect(unknown).toEqual({
      status: 404,
      body: { code: 40462, message: 'Captions 7c0680fc-6274-4de5-a66f-d0648e8d3ac2 were not found' },
    });
  });

  it('answers 409 for relayed and end-to-end encrypted sessions', async () => {
    const relayed = await createSession({ mediaMode: 'relayed' });
    await expectRefusal(
      { sessionId: relayed, token: token(relayed) },
      409,
      40962,
      /only available in routed sessions/,
    );
    const encrypted = await createSession({ e2ee: true });
    await expectRefusal(
      { sessionId: encrypted, token: token(encrypted) },
      409,
      40964,
      /end-to-end encrypted/,
    );
  });

  it('answers 400 for a token of another session and for a token without the moderator role', async () => {
    const sessionId = await createSession();
    const other = await createSession();
    await expectRefusal(
      { sessionId, token: token(other) },
      400,
      40060,
      /body\.token is not a valid client token/,
    );
    await expectRefusal(
      { sessionId, token: token(sessionId, 'publisher') },
      400,
      40061,
      /moderator role \(it has publisher\)/,
    );
  });

  it('answers 400 naming the field for a maxDuration out of bounds', async () => {
    const sessionId = await createSession();
    await expectRefusal({ sessionId, token: token(sessionId), maxDuration: 299 }, 400, 40001, /maxDuration/);
  });

  it('answers 500 naming the missing package when the recogniser is not installed', async () => {
    const service = new CaptionsService({
      store: harness.store,
      realtime: harness.app.realtime,
      events: harness.app.parley.events,
      now: Date.now,
      probe: () => probeRecognizer({ pythonPath: '/nonexistent/python3', modelsDirectory: '/nonexistent' }),
      createDecoder: opusDecoderFactory(),
      logger: { warn: () => undefined },
    });
    const sessionId = await createSession();
    const refusal = await service
      .start(harness.project, { sessionId, token: token(sessionId) })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).definition.code).toBe(50003);
    expect((refusal as ApiError).message).toMatch(/python3-pocketsphinx/);
    expect(service.running).toEqual([]);
  });
});

/** An in-memory client of the session that records what it receives. */
function watcher(sessionId: string, id: string): { connection: LiveConnection; inbox: OutboundMessage[] } {
  const session = harness.app.realtime.registry.get(sessionId);
  if (!session) throw new Error('the session is not live');
  const inbox: OutboundMessage[] = [];
  const connection: LiveConnection = {
    id,
    sessionId,
    role: 'subscriber',
    permissions: ['subscribe'],
    data: '',
    initialLayoutClassList: [],
    creationTime: Date.now(),
    connectionEventsSuppressed: false,
    userAgent: 'captions test watcher',
    state: 'connecting',
    endpoint: { send: (message) => inbox.push(message), close: () => undefined },
  };
  session.addConnection(connection);
  session.announceConnection(connection);
  return { connection, inbox };
}

/** Subscribes `connection` to the stream and, with the gateway's handler, turns its captions on or off. */
function subscribe(sessionId: string, streamId: string, connection: LiveConnection, captions: boolean): void {
  const session = harness.app.realtime.registry.get(sessionId);
  const stream = session?.stream(streamId);
  if (!session || !stream) throw new Error('the stream is not live');
  const subscriberId = `sub-${connection.id}`;
  session.addSubscriber(stream, {
    id: subscriberId,
    streamId,
    connectionId: connection.id,
    creationTime: Date.now(),
  });
  const uri = session.uri(['stream', streamId], ['subscriber', subscriberId], ['channel', 'caption1']);
  const message = { method: 'update', uri, content: { active: captions } } as RaptorMessage;
  // Only the fields the handler reads: the session, the requesting connection, the URI and the message.
  const context = {
    session,
    connection,
    uri: parseRaptorUri(uri),
    message,
  } as unknown as BoundRequestContext;
  updateSubscriber(context);
}

interface Caption {
  text: string;
  streamId: string;
  isFinal: boolean;
}

function captionsIn(inbox: readonly OutboundMessage[]): Caption[] {
  return inbox
    .filter((message) => message.method === 'data' && message.uri.includes('/channel/caption1/data/'))
    .map((message) => {
      const data = JSON.parse(message.content.data as string) as {
        caption: { text: string };
        streamId: string;
        isFinal: boolean;
      };
      return { text: data.caption.text, streamId: data.streamId, isFinal: data.isFinal };
    });
}

async function statusWebhooks(captionsId: string): Promise<{ url: string; body: Record<string, unknown> }[]> {
  await harness.app.parley.events.flush();
  const page = await harness.store.webhookDeliveries.list(harness.project.applicationId, {
    offset: 0,
    count: 1000,
  });
  return page.items
    .map((delivery) => ({ url: delivery.url, body: JSON.parse(delivery.body) as Record<string, unknown> }))
    .filter((delivery) => delivery.body.captionsId === captionsId)
    .sort((a, b) => (a.body.timestamp as number) - (b.body.timestamp as number));
}

describe.skipIf(unavailable !== null)(
  `live captions on real speech${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let speech: Buffer[];
    const speakers: SpeechStream[] = [];
    beforeAll(() => {
      speech = speechOpus();
    });
    afterAll(async () => {
      await Promise.all(speakers.splice(0).map((speaker) => speaker.close()));
    });

    it('answers 400 naming languageCode and the installed languages for a language without a model', async () => {
      const sessionId = await createSession();
      await expectRefusal(
        { sessionId, token: token(sessionId), languageCode: 'fr-FR' },
        400,
        40001,
        /body\.languageCode .*\(en-US\); fr-FR is not installed/,
      );
    });

    it('captions a stream for the subscribers that turned captions on: partial then final results', async () => {
      const sessionId = await createSession();
      const speaker = await publishSpeech(harness.app, harness.project, sessionId, 'speech-1', speech);
      speakers.push(speaker);
      const reader = watcher(sessionId, 'reader');
      const bystander = watcher(sessionId, 'bystander');
      subscribe(sessionId, 'speech-1', reader.connection, true);
      subscribe(sessionId, 'speech-1', bystander.connection, false);

      const url = 'http://127.0.0.1:9/captions-status';
      const started = await start({
        sessionId,
        token: token(sessionId),
        partialCaptions: true,
        statusCallbackUrl: url,
      });
      expect(started.status).toBe(202);
      const captionsId = started.body.captionsId as string;
      expect(captionsId).toMatch(/^[0-9a-f-]{36}$/);
      await expectRefusal({ sessionId, token: token(sessionId) }, 409, 40960, /already started/);

      await waitFor(
        () => captionsIn(reader.inbox).some((c) => c.isFinal && SPOKEN.test(c.text)),
        30_000,
        'a final caption',
      );
      const captions = captionsIn(reader.inbox);
      expect(captions.some((c) => !c.isFinal)).toBe(true);
      expect(captions.every((c) => c.streamId === 'speech-1' && c.text.length > 0)).toBe(true);
      const message = reader.inbox.find((m) => m.method === 'data') as OutboundMessage;
      const session = harness.app.realtime.registry.get(sessionId);
      expect(message.from).toBe(session?.serverAddress);
      expect(message.uri).toMatch(
        new RegExp(`/session/${sessionId}/stream/speech-1/channel/caption1/data/[0-9a-f-]{36}$`),
      );
      expect(captionsIn(bystander.inbox)).toEqual([]);

      expect((await stop(captionsId)).status).toBe(202);
      expect((await stop(captionsId)).status).toBe(202);
      expect(harness.app.captions.running).toEqual([]);
      const webhooks = await statusWebhooks(captionsId);
      expect(webhooks.map((w) => [w.url, w.body.status, w.body.reason])).toEqual([
        [url, 'started', undefined],
        [url, 'stopped', 'Stop Requested'],
      ]);
      expect(webhooks[1]?.body).toMatchObject({
        captionId: captionsId,
        event: 'captions',
        sessionId,
        applicationId: harness.project.applicationId,
        projectId: harness.project.apiKey,
        languageCode: 'en-US',
      });

      // Captions may start again once stopped; with partialCaptions 'false' (the @vonage/video form) only
      // final results arrive. When the session ends, captioning stops.
      const before = captionsIn(reader.inbox).length;
      const again = await start({
        sessionId,
        token: token(sessionId),
        partialCaptions: 'false',
        statusCallbackUrl: url,
      });
      expect(again.status).toBe(202);
      await waitFor(
        () =>
          captionsIn(reader.inbox)
            .slice(before)
            .some((c) => c.isFinal),
        30_000,
        'a final caption',
      );
      expect(
        captionsIn(reader.inbox)
          .slice(before)
          .every((c) => c.isFinal),
      ).toBe(true);
      await speaker.close();
      session?.removeConnection('reader', 'clientDisconnected');
      session?.removeConnection('bystander', 'clientDisconnected');
      await waitFor(() => harness.app.captions.running.length === 0, 5000, 'captioning to stop');
      const ended = await statusWebhooks(again.body.captionsId as string);
      expect(ended.map((w) => [w.body.status, w.body.reason])).toEqual([
        ['started', undefined],
        ['stopped', 'Session Ended'],
      ]);
    }, 90_000);

    it('fails, with the reason in the webhook, when a stream cannot be decoded', async () => {
      const emitted: Record<string, unknown>[] = [];
      const service = new CaptionsService({
        store: harness.store,
        realtime: harness.app.realtime,
        events: { emit: (_project, _webhook, payload) => void emitted.push(payload) },
        now: Date.now,
        probe: () =>
          probeRecognizer({ pythonPath: defaultPythonPath(), modelsDirectory: defaultModelsDirectory() }),
        // A decoder whose ffmpeg dies at once, as a corrupt stream would make it.
        createDecoder: ({ onFailure }) => {
          setTimeout(() => onFailure('ffmpeg exited with code 1: Invalid data found'), 10);
          return { pushRtp: () => undefined, close: async () => undefined };
        },
        logger: { warn: () => undefined },
      });
      const sessionId = await createSession();
      speakers.push(await publishSpeech(harness.app, harness.project, sessionId, 'speech-broken', speech));
      const { captionsId } = await service.start(harness.project, { sessionId, token: token(sessionId) });
      await waitFor(() => emitted.length === 2, 5000, 'the failed status');
      expect(emitted.map((event) => [event.captionsId, event.status])).toEqual([
        [captionsId, 'started'],
        [captionsId, 'failed'],
      ]);
      expect(emitted[1]?.reason).toBe(
        'Captioning of stream speech-broken failed: the audio of stream speech-broken could not be decoded: ffmpeg exited with code 1: Invalid data found',
      );
      expect(service.running).toEqual([]);
    }, 30_000);

    it('follows the publisher turning publishCaptions off and on, and streams published later', async () => {
      const sessionId = await createSession();
      const first = await publishSpeech(harness.app, harness.project, sessionId, 'speech-toggle', speech);
      speakers.push(first);
      const { captionsId } = await harness.app.captions.start(harness.project, {
        sessionId,
        token: token(sessionId),
      });
      const captioning = harness.app.captions.get(harness.project, captionsId);
      await waitFor(
        () => captioning?.streamIds.join() === 'speech-toggle',
        5000,
        'the stream to be captioned',
      );

      const session = harness.app.realtime.registry.get(sessionId);
      const stream = session?.stream('speech-toggle');
      if (!session || !stream) throw new Error('the stream is not live');
      session.updateChannel(stream, 'caption1', { active: false });
      await waitFor(() => captioning?.streamIds.length === 0, 5000, 'the captioner to stop');

      speakers.push(await publishSpeech(harness.app, harness.project, sessionId, 'speech-later', speech));
      session.updateChannel(stream, 'caption1', { active: true });
      await waitFor(
        () => captioning?.streamIds.toSorted().join() === 'speech-later,speech-toggle',
        5000,
        'both streams to be captioned',
      );
      await harness.app.captions.stop(harness.project, captionsId);
      expect(captioning?.streamIds).toEqual([]);
    }, 30_000);

    it('stops by itself at maxDuration', async () => {
      const sessionId = await createSession();
      const { captionsId } = await harness.app.captions.start(harness.project, {
        sessionId,
        token: token(sessionId),
        maxDuration: 0.2,
      });
      const captioning = harness.app.captions.get(harness.project, captionsId);
      await waitFor(() => captioning?.status === 'stopped', 5000, 'the captioning to stop');
      expect(captioning?.reason).toBe('Max Duration Exceeded');
      expect((await stop(captionsId)).status).toBe(202);
    });
  },
);
