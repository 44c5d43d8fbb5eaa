/**
 * A signaling-only participant: joins a session exactly as OpenTok.js 2.35 does — `GET
 * /session/{sessionId}?extended=true` with the client token, then the Rumor WebSocket: CONNECT, SUBSCRIBE
 * to the session topic, `create …/connection/{cid}` with `X-TB-TOKEN-AUTH` — and then signals, publishes
 * (relayed sessions) and records what the server tells it.
 */
import { randomUUID } from 'node:crypto';
import { buildRaptorUri, parseRaptorUri, RumorHeader, RumorType, sessionTopic } from '@parley/protocol';
import { fetch } from 'undici';
import {
  type Participant,
  type ParticipantConnection,
  type ParticipantEvent,
  ParticipantJoinError,
  type ParticipantStream,
  ParticipantUnsupportedError,
  type PublishOptions,
  type SignalOptions,
} from './participant.js';
import { type InboundMessage, RumorSocket } from './rumor-socket.js';

/** The client version the participant reports; the version the protocol notes describe. */
export const PARTICIPANT_CLIENT_VERSION = 'js-2.35.2';

/** Options of {@link joinSession}. */
export interface JoinOptions {
  /** The target's base URL (where session info is asked). */
  baseUrl: string;
  sessionId: string;
  /** A client token for the session. */
  token: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** The parts of session info the participant needs. */
interface SessionInfo {
  partnerId: string;
  messagingUrl: string;
  symphonyAddress: string;
  relayed: boolean;
}

const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** Joins a session; resolves once the server has answered connection create. */
export async function joinSession(options: JoinOptions): Promise<Participant> {
  const connectionId = randomUUID();
  const info = await fetchSessionInfo(options, connectionId);
  const socket = await RumorSocket.open(info.messagingUrl, options.timeoutMs ?? 10_000);
  const participant = new RumorParticipant(socket, info, options.sessionId, connectionId);
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

async function fetchSessionInfo(options: JoinOptions, connectionId: string): Promise<SessionInfo> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/session/${options.sessionId}?extended=true`;
  const response = await fetch(url, {
    headers: {
      accept: 'application/json',
      'x-opentok-auth': options.token,
      'x-tb-version': '1',
      'x-tb-client-version': PARTICIPANT_CLIENT_VERSION,
      'x-tb-connectionid': connectionId,
    },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let first: Record<string, unknown> | undefined;
  try {
    first = asArray<Record<string, unknown>>(JSON.parse(text))[0];
  } catch {
    // Reported below with the raw text.
  }
  if (response.status !== 200 || !first) {
    throw new ParticipantJoinError(`session info answered ${response.status}: ${text.slice(0, 300)}`);
  }
  if (first.error)
    throw new ParticipantJoinError(`session info refused the token: ${JSON.stringify(first.error)}`);
  const properties = (first.properties ?? {}) as Record<string, unknown>;
  const p2p = (properties.p2p as { preference?: { value?: string } } | undefined)?.preference?.value;
  return {
    partnerId: String(first.partner_id),
    messagingUrl: String(first.messaging_url),
    symphonyAddress: String(first.symphony_address),
    relayed: p2p === 'enabled',
  };
}

class RumorParticipant implements Participant {
  readonly connectionId: string;
  readonly sessionId: string;
  initialState: { connections: ParticipantConnection[]; streams: ParticipantStream[] } = {
    connections: [],
    streams: [],
  };
  readonly events: ParticipantEvent[] = [];
  readonly #socket: RumorSocket;
  readonly #info: SessionInfo;
  readonly #waiters = new Set<(event: ParticipantEvent) => void>();
  #offerRequested: ((streamId: string) => void) | null = null;

  constructor(socket: RumorSocket, info: SessionInfo, sessionId: string, connectionId: string) {
    this.#socket = socket;
    this.#info = info;
    this.sessionId = sessionId;
    this.connectionId = connectionId;
    socket.on({
      message: (inbound) => this.#handle(inbound),
      close: (_code, reason) => {
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

  async signal(options: SignalOptions): Promise<void> {
    const pairs: Parameters<typeof buildRaptorUri>[2][] = [];
    if (options.to) pairs.push(['connection', options.to]);
    pairs.push(['signal', randomUUID()]);
    await this.#socket.request(
      this.#info.symphonyAddress,
      {
        method: 'signal',
        uri: buildRaptorUri(this.#info.partnerId, this.sessionId, ...pairs),
        content: {
          ...(options.type !== undefined ? { type: options.type } : {}),
          ...(options.data !== undefined ? { data: options.data } : {}),
        },
      },
      { [RumorHeader.FromAddress]: this.connectionId },
    );
  }

  async publish(options: PublishOptions = {}): Promise<ParticipantStream> {
    const streamId = randomUUID();
    const offerRequested = new Promise<never>((_, reject) => {
      this.#offerRequested = (id) => {
        if (id === streamId) {
          reject(
            new ParticipantUnsupportedError(
              'the target asked for a WebRTC offer: publishing in a routed session needs media, which this signaling-only participant does not have',
            ),
          );
        }
      };
    });
    offerRequested.catch(() => undefined);
    await this.#socket.request(
      this.#info.symphonyAddress,
      {
        method: 'create',
        uri: buildRaptorUri(this.#info.partnerId, this.sessionId, ['stream', streamId]),
        content: {
          id: streamId,
          name: options.name ?? 'contract stream',
          channel: [
            { id: 'audio1', type: 'audio', active: options.hasAudio ?? true },
            {
              id: 'video1',
              type: 'video',
              active: options.hasVideo ?? true,
              width: 640,
              height: 480,
              orientation: 0,
              frameRate: 30,
              source: 'camera',
              fitMode: 'cover',
            },
          ],
          publisherAudioFallbackEnabled: false,
          subscriberAudioFallbackEnabled: false,
          customProperties: {},
          e2ee: false,
        },
      },
      { [RumorHeader.FromAddress]: this.connectionId },
    );
    const created = await Promise.race([
      this.waitFor('streamCreated', (e) => e.stream.id === streamId, 15_000),
      offerRequested,
    ]);
    this.#offerRequested = null;
    return created.stream;
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
    await this.#socket.close();
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
      if (message.method === 'created')
        this.#emit({ kind: 'streamCreated', stream: toStream({ ...content, id: params.stream }) });
      else if (message.method === 'deleted')
        this.#emit({ kind: 'streamDestroyed', streamId: params.stream, reason });
      else if (message.method === 'update' && content.reason === 'mute') {
        this.#emit({ kind: 'muteForced', streamId: params.stream, active: content.active !== false });
      } else if (message.method === 'generateoffer') this.#offerRequested?.(params.stream);
    } else if (resource === 'session' && message.method === 'update' && content.reason === 'mute') {
      this.#emit({ kind: 'muteForced', streamId: null, active: content.active !== false });
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
