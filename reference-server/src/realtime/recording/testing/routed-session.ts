/**
 * Test support: a real routed live session without the WebSocket gateway. A {@link LiveSessionRegistry}
 * routes media through a real SFU engine; clients are in-memory endpoints that record what the session
 * sends them, and publishers are werift clients ({@link TestPublisher}) negotiating through the session's
 * real {@link RoutedMedia}, exactly as the gateway's handlers drive it. Loopback only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SfuEngine } from '../../../sfu/types.js';
import { TestPublisher } from '../../../sfu/werift/testing/werift-clients.js';
import { silentLogger } from '../../logger.js';
import { RelayedMedia } from '../../media/relayed.js';
import { RoutedMedia } from '../../media/routed.js';
import type { LiveSession } from '../../session/live-session.js';
import { LiveSessionRegistry } from '../../session/registry.js';
import type { LiveConnection, LiveStream, OutboundMessage } from '../../session/types.js';

/** Polls until `condition` holds; throws naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A connected in-memory client and what it received. */
export interface TestConnection {
  connection: LiveConnection;
  inbox: OutboundMessage[];
}

/** A routed session on a real engine; see the file comment. */
export class RoutedSessionHarness {
  readonly registry: LiveSessionRegistry;
  readonly #publishers: TestPublisher[] = [];

  constructor(engine: SfuEngine) {
    this.registry = new LiveSessionRegistry({
      createMedia: (session) =>
        session.mediaMode === 'relayed'
          ? new RelayedMedia(session)
          : new RoutedMedia(session, engine, silentLogger),
    });
  }

  /** The live session (opened on first use). */
  session(sessionId: string, mediaMode: 'routed' | 'relayed' = 'routed'): LiveSession {
    return this.registry.open({
      sessionId,
      project: { applicationId: 'app', apiKey: '123456' },
      mediaMode,
      e2ee: false,
    });
  }

  /** Connects a client the way the gateway's connection create does. */
  connect(
    sessionId: string,
    connectionId: string,
    options: { layoutClassList?: string[]; mediaMode?: 'routed' | 'relayed'; data?: string } = {},
  ): TestConnection {
    const session = this.session(sessionId, options.mediaMode);
    const inbox: OutboundMessage[] = [];
    const connection: LiveConnection = {
      id: connectionId,
      sessionId,
      role: 'moderator',
      permissions: ['publish', 'subscribe', 'forceunpublish', 'forcedisconnect', 'forcemute'],
      data: options.data ?? '',
      initialLayoutClassList: options.layoutClassList ?? [],
      creationTime: Date.now(),
      connectionEventsSuppressed: false,
      userAgent: 'harness',
      state: 'connecting',
      endpoint: { send: (message) => inbox.push(message), close: () => undefined },
    };
    session.addConnection(connection);
    session.announceConnection(connection);
    return { connection, inbox };
  }

  /**
   * Publishes a stream from `client` with a werift publisher (VP8 + Opus fixtures) and resolves once the
   * session announced it, i.e. once its media reaches the SFU.
   */
  async publish(
    sessionId: string,
    client: TestConnection,
    streamId: string,
    options: { source?: 'camera' | 'screen' } = {},
  ): Promise<{ stream: LiveStream; publisher: TestPublisher }> {
    const session = this.session(sessionId);
    const stream: LiveStream = {
      id: streamId,
      connectionId: client.connection.id,
      name: streamId,
      creationTime: Date.now(),
      channels: new Map([
        ['audio1', { id: 'audio1', type: 'audio', active: true, attributes: {} }],
        [
          'video1',
          {
            id: 'video1',
            type: 'video',
            active: true,
            attributes: { source: options.source ?? 'camera', width: 320, height: 240 },
          },
        ],
      ]),
      customProperties: {},
      publisherAudioFallbackEnabled: false,
      subscriberAudioFallbackEnabled: false,
      sourceStreamId: 'MANTIS',
      layoutClassList: [...client.connection.initialLayoutClassList],
      announced: false,
      subscribers: new Map(),
    };
    session.addStream(stream);
    session.media.streamCreated(stream, client.connection);
    await until(
      () => client.inbox.some((m) => m.method === 'generateoffer' && m.uri.endsWith(`/stream/${streamId}`)),
      'generateoffer',
    );
    const publisher = new TestPublisher();
    this.#publishers.push(publisher);
    const offer = await publisher.createOffer();
    const from = client.connection;
    for (const candidate of publisher.candidates) {
      await session.media.jsep({
        method: 'candidate',
        from,
        stream,
        subscriber: null,
        content: { ...candidate },
      });
    }
    await session.media.jsep({ method: 'offer', from, stream, subscriber: null, content: { sdp: offer } });
    const answer = client.inbox.find((m) => m.method === 'answer' && m.uri.endsWith(`/stream/${streamId}`));
    if (typeof answer?.content.sdp !== 'string') throw new Error('no answer from the SFU');
    await publisher.setAnswer(answer.content.sdp);
    publisher.start();
    await until(() => stream.announced, `stream ${streamId} to be announced`);
    return { stream, publisher };
  }

  /** Ends every session and closes the publishers. */
  async close(): Promise<void> {
    this.registry.close();
    for (const publisher of this.#publishers.splice(0)) await publisher.close();
  }
}
