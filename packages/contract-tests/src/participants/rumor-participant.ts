/**
 * A headless participant: joins a session exactly as OpenTok.js 2.35 does — `GET
 * /session/{sessionId}?extended=true` with the client token, then the Rumor WebSocket: CONNECT, SUBSCRIBE
 * to the session topic, `create …/connection/{cid}` with `X-TB-TOKEN-AUTH` — and then signals, publishes
 * and subscribes with real WebRTC media, and records what the server tells it.
 */
import { randomUUID } from 'node:crypto';
import {
  buildRaptorUri,
  parseRaptorUri,
  type RaptorKey,
  type RaptorMessage,
  RumorHeader,
  RumorType,
  sessionTopic,
} from '@parley/protocol';
import { type MediaNetwork, networkFor, toIceServers } from './media/network.js';
import type { MediaKind } from './media/recording.js';
import {
  type Participant,
  type ParticipantConnection,
  type ParticipantEvent,
  ParticipantJoinError,
  type ParticipantStream,
  type PublishedStream,
  type PublishOptions,
  type SignalOptions,
  type SubscribeOptions,
  type Subscription,
} from './participant.js';
import { Publication } from './publication.js';
import { type InboundMessage, RumorSocket } from './rumor-socket.js';
import { fetchSessionInfo, type SessionInfo } from './session-info.js';
import type { SignalingLink } from './signaling-link.js';
import { StreamSubscription } from './subscription.js';
import { PARTICIPANT_CLIENT_VERSION } from './version.js';

export { PARTICIPANT_CLIENT_VERSION } from './version.js';

/** Options of {@link joinSession}. */
export interface JoinOptions {
  /** The target's base URL (where session info is asked). */
  baseUrl: string;
  sessionId: string;
  /** A client token for the session. */
  token: string;
  /** Default 10 s. */
  timeoutMs?: number;
  /**
   * Where media goes. By default: loopback only (no STUN) for a target on 127.0.0.1 or `localhost`;
   * otherwise every interface, with the ICE servers the target hands out.
   */
  network?: MediaNetwork;
}

const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** Joins a session; resolves once the server has answered connection create. */
export async function joinSession(options: JoinOptions): Promise<Participant> {
  const connectionId = randomUUID();
  const info = await fetchSessionInfo(options, connectionId);
  const socket = await RumorSocket.open(info.messagingUrl, options.timeoutMs ?? 10_000);
  const network = options.network ?? networkFor(options.baseUrl, info.iceServers);
  const participant = new RumorParticipant(socket, info, options.sessionId, connectionId, network);
  socket.sendFrame(RumorType.Connect, [], {
    [RumorHeader.UniqueId]: connectionId,
    [RumorHeader.TransactionId]: randomUUID(),
    [RumorHeader.NotifyDisconnectAddress]: info.symphonyAddress,
  });
  socket.sendFrame(RumorType.Subscribe, [sessionTopic(info.partnerId, options.sessionId)]);
  try {
    const state = await socket.request(
      info.symphonyAddress,
      {
        method: 'create',
        uri: buildRaptorUri(info.partnerId, options.sessionId, ['connection', connectionId]),
        content: {
          userAgent: 'parley-contract-tests',
          clientVersion: PARTICIPANT_CLIENT_VERSION,
          capabilities: ['forceMute'],
        },
      },
      { [RumorHeader.TokenAuth]: options.token, [RumorHeader.FromAddress]: connectionId },
    );
    participant.setInitialState(state);
  } catch (error) {
    await socket.close();
    throw new ParticipantJoinError(`connection create failed: ${(error as Error).message}`);
  }
  return participant;
}

class RumorParticipant implements Participant, SignalingLink {
  readonly connectionId: string;
  readonly sessionId: string;
  initialState: { connections: ParticipantConnection[]; streams: ParticipantStream[] } = {
    connections: [],
    streams: [],
  };
  readonly events: ParticipantEvent[] = [];
  network: MediaNetwork;
  readonly #socket: RumorSocket;
  readonly #info: SessionInfo;
  readonly #waiters = new Set<(event: ParticipantEvent) => void>();
  readonly #publications = new Map<string, Publication>();
  readonly #subscriptions = new Map<string, StreamSubscription>();

  constructor(
    socket: RumorSocket,
    info: SessionInfo,
    sessionId: string,
    connectionId: string,
    network: MediaNetwork,
  ) {
    this.#socket = socket;
    this.#info = info;
    this.sessionId = sessionId;
    this.connectionId = connectionId;
    this.network = network;
    socket.on({
      message: (inbound) => this.#handle(inbound),
      close: (_code, reason) => {
        void this.#closeMedia();
        if (!this.events.some((e) => e.kind === 'sessionDisconnected')) {
          this.#emit({ kind: 'sessionDisconnected', reason: reason || null });
        }
      },
    });
  }

  setInitialState(state: Record<string, unknown>): void {
    this.initialState = {
      connections: asArray<ParticipantConnection>(state.connection),
      streams: asArray<Record<string, unknown>>(state.stream).map(toStream),
    };
  }

  uri(...pairs: [RaptorKey, string][]): string {
    return buildRaptorUri(this.#info.partnerId, this.sessionId, ...pairs);
  }

  request(message: RaptorMessage): Promise<Record<string, unknown>> {
    return this.#socket.request(this.#info.symphonyAddress, message, {
      [RumorHeader.FromAddress]: this.connectionId,
    });
  }

  async signal(options: SignalOptions): Promise<void> {
    const pairs: [RaptorKey, string][] = [];
    if (options.to) pairs.push(['connection', options.to]);
    pairs.push(['signal', randomUUID()]);
    await this.request({
      method: 'signal',
      uri: this.uri(...pairs),
      content: {
        ...(options.type !== undefined ? { type: options.type } : {}),
        ...(options.data !== undefined ? { data: options.data } : {}),
      },
    });
  }

  async publish(options: PublishOptions = {}): Promise<PublishedStream> {
    const streamId = randomUUID();
    const kinds: MediaKind[] = [];
    if (options.hasAudio ?? true) kinds.push('audio');
    if (options.hasVideo ?? true) kinds.push('video');
    const publication = new Publication(this, streamId, kinds, options.offerDirection ?? 'sendrecv');
    this.#publications.set(streamId, publication);
    try {
      const status = await this.request({
        method: 'create',
        uri: this.uri(['stream', streamId]),
        content: {
          id: streamId,
          name: options.name ?? 'contract stream',
          channel: [
            { id: 'audio1', type: 'audio', active: kinds.includes('audio') },
            {
              id: 'video1',
              type: 'video',
              active: kinds.includes('video'),
              width: 320,
              height: 240,
              orientation: 0,
              frameRate: 15,
              source: 'camera',
              fitMode: 'cover',
            },
            { id: 'caption1', type: 'data', active: false },
          ],
          publisherAudioFallbackEnabled: false,
          subscriberAudioFallbackEnabled: false,
          customProperties: {},
          e2ee: false,
        },
      });
      this.#useIceServers(status);
      // The session is force-muted: OpenTok.js starts the publisher muted ("mute on entry").
      const mutedOnEntry = (status.mute as { active?: unknown } | undefined)?.active === true;
      if (mutedOnEntry) publication.startMuted();
      const created = await Promise.race([
        this.waitFor('streamCreated', (e) => e.stream.id === streamId, options.timeoutMs ?? 15_000),
        publication.failure,
      ]);
      publication.announced(created.stream);
      if (mutedOnEntry && kinds.includes('audio')) await publication.publishAudio(false);
      return publication;
    } catch (error) {
      this.#publications.delete(streamId);
      await publication.close();
      throw error;
    }
  }

  async subscribe(streamId: string, options: SubscribeOptions = {}): Promise<Subscription> {
    const subscriberId = randomUUID();
    const subscription = new StreamSubscription(this, subscriberId, streamId);
    this.#subscriptions.set(subscriberId, subscription);
    try {
      const status = await this.request({
        method: 'create',
        uri: this.uri(['stream', streamId], ['subscriber', subscriberId]),
        content: {
          id: subscriberId,
          connection: this.connectionId,
          keyManagementMethod: 'DTLS_SRTP',
          bundleSupport: true,
          rtcpMuxSupport: true,
          e2ee: false,
          channel: [
            { id: 'audio1', type: 'audio', active: options.subscribeToAudio ?? true },
            {
              id: 'video1',
              type: 'video',
              active: options.subscribeToVideo ?? true,
              restrictFrameRate: false,
            },
            { id: 'caption1', type: 'data', active: false },
          ],
        },
      });
      this.#useIceServers(status);
      return subscription;
    } catch (error) {
      this.#subscriptions.delete(subscriberId);
      await subscription.close();
      throw error;
    }
  }

  async forceUnpublish(streamId: string): Promise<void> {
    await this.request({ method: 'delete', uri: this.uri(['stream', streamId]), content: {} });
  }

  waitFor<K extends ParticipantEvent['kind']>(
    kind: K,
    predicate: (event: Extract<ParticipantEvent, { kind: K }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<ParticipantEvent, { kind: K }>> {
    const matches = (event: ParticipantEvent): event is Extract<ParticipantEvent, { kind: K }> =>
      event.kind === kind && predicate(event as Extract<ParticipantEvent, { kind: K }>);
    const seen = this.events.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `participant ${this.connectionId} saw no ${kind} within ${timeoutMs} ms (saw: ${this.events.map((e) => e.kind).join(', ') || 'nothing'})`,
          ),
        );
      }, timeoutMs);
      const waiter = (event: ParticipantEvent): void => {
        if (!matches(event)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(event);
      };
      this.#waiters.add(waiter);
    });
  }

  async disconnect(): Promise<void> {
    await this.#closeMedia();
    await this.#socket.close();
  }

  /** The STATUS of a stream or subscriber create may carry ICE servers (`content.iceServers`). */
  #useIceServers(status: Record<string, unknown>): void {
    const given = (status.content as { iceServers?: unknown } | undefined)?.iceServers;
    const servers = toIceServers(given);
    if (!this.network.loopbackOnly && servers.length > 0)
      this.network = { ...this.network, iceServers: servers };
  }

  async #closeMedia(): Promise<void> {
    const media = [...this.#publications.values(), ...this.#subscriptions.values()];
    this.#publications.clear();
    this.#subscriptions.clear();
    await Promise.all(media.map((m) => m.close()));
  }

  #emit(event: ParticipantEvent): void {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) waiter(event);
  }

  #handle({ message, from }: InboundMessage): void {
    const uri = parseRaptorUri(message.uri);
    if (!uri) return;
    const { resource, params } = uri;
    const content = message.content;
    const reason = message.reason ?? null;
    if (message.method === 'signal') {
      this.#emit({
        kind: 'signal',
        type: typeof content.type === 'string' ? content.type : '',
        data: typeof content.data === 'string' ? content.data : '',
        from: from === '' ? null : from,
      });
    } else if (resource === 'connection' && params.connection) {
      if (message.method === 'created') {
        this.#emit({
          kind: 'connectionCreated',
          connection: { ...(content as object), id: params.connection } as ParticipantConnection,
        });
      } else if (message.method === 'deleted') {
        this.#emit(
          params.connection === this.connectionId
            ? { kind: 'sessionDisconnected', reason }
            : { kind: 'connectionDestroyed', connectionId: params.connection, reason },
        );
      }
    } else if (resource === 'stream' && params.stream) {
      this.#handleStream(message.method, params.stream, content, reason);
    } else if (resource === 'subscriber' && params.stream && params.subscriber) {
      const routed = { method: message.method, content };
      const subscription = this.#subscriptions.get(params.subscriber);
      if (subscription) subscription.handle(routed);
      else this.#publications.get(params.stream)?.handle(routed, params.subscriber);
    } else if (
      resource === 'stream_channel' &&
      params.stream &&
      params.channel &&
      message.method === 'updated'
    ) {
      this.#emit({
        kind: 'streamPropertyChanged',
        streamId: params.stream,
        channelId: params.channel,
        changes: content,
      });
    } else if (resource === 'session' && message.method === 'update' && content.reason === 'mute') {
      this.#emit({ kind: 'muteForced', streamId: null, active: content.active !== false });
    }
  }

  #handleStream(
    method: string,
    streamId: string,
    content: Record<string, unknown>,
    reason: string | null,
  ): void {
    const publication = this.#publications.get(streamId);
    if (method === 'created') {
      this.#emit({ kind: 'streamCreated', stream: toStream({ ...content, id: streamId }) });
    } else if (method === 'deleted') {
      this.#emit({ kind: 'streamDestroyed', streamId, reason });
      // The stream is gone (unpublished, force-unpublished, its publisher left): so is its media. Its
      // subscriptions stay open until stopped, so a test can see that no more packets arrive.
      this.#publications.delete(streamId);
      void publication?.close();
    } else if (method === 'update' && content.reason === 'mute') {
      const active = content.active !== false;
      this.#emit({ kind: 'muteForced', streamId, active });
      // OpenTok.js mutes the publisher's audio when told; only the publisher unmutes itself.
      if (active) publication?.forceMuted();
    } else {
      publication?.handle({ method, content }, null);
    }
  }
}

function toStream(hash: Record<string, unknown>): ParticipantStream {
  const connection = hash.connection as { id?: unknown } | undefined;
  const connectionId =
    typeof connection?.id === 'string'
      ? connection.id
      : typeof hash.connectionId === 'string'
        ? hash.connectionId
        : undefined;
  return {
    id: String(hash.id),
    ...(typeof hash.name === 'string' ? { name: hash.name } : {}),
    ...(connectionId ? { connectionId } : {}),
    ...(Array.isArray(hash.channel)
      ? { channel: hash.channel as ParticipantStream['channel'] & object }
      : {}),
  };
}
