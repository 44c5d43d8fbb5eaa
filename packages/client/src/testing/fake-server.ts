/**
 * An in-memory server that speaks the gateway's protocol (session info over a fake `fetch`, Rumor frames
 * over fake transports), for unit tests of the client without a network. It keeps a small session model
 * (connections, streams, routed negotiation from `symphony.parley`, signals, moderation) and exposes hooks
 * to drop sockets, push server messages, refuse or hold requests.
 */
import {
  buildRaptorUri,
  decodeRumorFrame,
  encodeRumorFrame,
  parseRaptorMessage,
  parseRaptorUri,
  RAPTOR_CONTENT_TYPE,
  type RaptorMessage,
  type RumorFrame,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import { SignalingTransport } from '../signaling/transport.js';

const SERVER = 'symphony.parley';

/** The server side of one fake socket. */
export class FakeTransport extends SignalingTransport {
  closed = false;
  constructor(
    readonly url: string,
    private readonly server: FakeServer,
  ) {
    super();
  }
  override send(data: Uint8Array): void {
    if (this.closed) return;
    const copy = data.slice();
    queueMicrotask(() => this.server.receive(this, copy));
  }
  override close(code = 1000, reason = ''): void {
    this.serverClose(code, reason);
  }
  /** Delivers a frame to the client. */
  deliver(frame: RumorFrame): void {
    if (this.closed) return;
    const bytes = encodeRumorFrame(frame);
    queueMicrotask(() => !this.closed && this.emit('message', bytes));
  }
  /** Closes from either side. */
  serverClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.emit('close', code, reason));
  }
}

interface Client {
  connectionId: string | null;
  socketId: string | null;
  transport: FakeTransport;
  data: string;
  permissions: string[];
  joined: boolean;
}

/** Options of the fake server. */
export interface FakeServerOptions {
  projectId?: string;
  sessionId?: string;
  token?: string;
  relayed?: boolean;
  reconnection?: boolean;
  e2ee?: boolean;
  /** Permissions per token: `token` gets these; default a moderator's. */
  permissions?: string[];
}

/** The fake server. */
export class FakeServer {
  readonly projectId: string;
  readonly sessionId: string;
  readonly token: string;
  readonly clients: Client[] = [];
  /** Every frame received, decoded, in order. */
  readonly received: { client: Client; frame: RumorFrame; message?: RaptorMessage }[] = [];
  /** Session-info requests (URL and headers). */
  readonly sessionInfoRequests: { url: string; headers: Record<string, string> }[] = [];
  /** Tokens accepted besides `token`, with their permissions. */
  readonly extraTokens = new Map<string, string[]>();
  /** The next session-info answer, instead of the real one. */
  sessionInfoOverride: { status: number; body: unknown } | null = null;
  /** Requests whose reply is withheld (by Raptor method). */
  readonly hold = new Set<string>();
  /** Requests refused: method → [status, reason]. */
  readonly refuse = new Map<string, [number, string]>();
  /** Whether reconnections are refused (HTTP 404 before the upgrade). */
  refuseReconnect = false;
  /** Whether stream create is announced (`created`) after the offer; false to test publish timeouts. */
  announceStreams = true;
  readonly streams = new Map<string, { owner: string; hash: Record<string, unknown> }>();
  readonly #options: Required<FakeServerOptions>;
  readonly #announced = new Set<string>();

  constructor(options: FakeServerOptions = {}) {
    this.#options = {
      projectId: options.projectId ?? '47123456',
      sessionId: options.sessionId ?? '2_MX40NzEyMzQ1Nn5-fake-session',
      token: options.token ?? 'T1==fake-token',
      relayed: options.relayed ?? false,
      reconnection: options.reconnection ?? true,
      e2ee: options.e2ee ?? false,
      permissions: options.permissions ?? [
        'publish',
        'subscribe',
        'forceunpublish',
        'forcedisconnect',
        'forcemute',
      ],
    };
    this.projectId = this.#options.projectId;
    this.sessionId = this.#options.sessionId;
    this.token = this.#options.token;
  }

  /** The `fetch` serving session info. */
  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
    this.sessionInfoRequests.push({ url, headers });
    if (this.sessionInfoOverride) {
      const { status, body } = this.sessionInfoOverride;
      return new Response(JSON.stringify(body), { status });
    }
    const token = headers['X-OPENTOK-AUTH'];
    if (token !== this.token && !this.extraTokens.has(token ?? '')) {
      return Response.json([{ error: { code: '403', errorMessage: { message: 'Invalid token' } } }]);
    }
    return Response.json([
      {
        session_id: this.sessionId,
        partner_id: this.projectId,
        project_id: this.projectId,
        messaging_url: 'ws://fake/rumorwebsocketsv2',
        symphony_address: `/${SERVER}`,
        ice_servers: [],
        properties: {
          p2p: { preference: { value: this.#options.relayed ? 'enabled' : 'disabled' } },
          reconnection: this.#options.reconnection,
          e2ee: this.#options.e2ee,
        },
      },
    ]);
  };

  /** The transport factory connecting clients to this server. */
  readonly transportFactory = (url: string): SignalingTransport => {
    const transport = new FakeTransport(url, this);
    const query = new URL(url).searchParams;
    const socketId = query.get('socketId');
    if (query.get('reconnect') === 'true') {
      const client = this.clients.find((candidate) => candidate.socketId === socketId);
      if (!client || this.refuseReconnect) {
        transport.serverClose(1006, 'refused');
        return transport;
      }
      client.transport = transport;
      queueMicrotask(() => {
        transport.emit('open');
        transport.deliver({ type: RumorType.Pong, to: [], headers: {}, body: '' });
      });
      return transport;
    }
    this.clients.push({ connectionId: null, socketId, transport, data: '', permissions: [], joined: false });
    queueMicrotask(() => transport.emit('open'));
    return transport;
  };

  /** The joined client with this connection ID. */
  client(connectionId: string): Client {
    const client = this.clients.find((candidate) => candidate.connectionId === connectionId);
    if (!client) throw new Error(`no client ${connectionId}`);
    return client;
  }

  /** The Raptor messages received, optionally filtered by method. */
  messages(method?: string): RaptorMessage[] {
    return this.received
      .map((entry) => entry.message)
      .filter(
        (message): message is RaptorMessage =>
          message !== undefined && (!method || message.method === method),
      );
  }

  /** A URI in the session. */
  uri(...pairs: Parameters<typeof buildRaptorUri> extends [string, string, ...infer P] ? P : never): string {
    return buildRaptorUri(this.projectId, this.sessionId, ...pairs);
  }

  /** Simulates a network drop of a client's socket. */
  drop(connectionId: string, code = 1006): void {
    this.client(connectionId).transport.serverClose(code, 'dropped');
  }

  /** Sends a server message to one client. */
  push(connectionId: string, message: RaptorMessage, from = SERVER): void {
    this.#send(this.client(connectionId), message, from);
  }

  /** Sends a server message to every joined client. */
  broadcast(message: RaptorMessage, from = SERVER, except?: string): void {
    for (const client of this.clients) {
      if (client.joined && client.connectionId !== except) this.#send(client, message, from);
    }
  }

  /** Joins a second client directly (no SDK), returning its connection ID. */
  addPeer(data = 'peer', permissions = ['publish', 'subscribe']): string {
    const transport = new FakeTransport('ws://fake/peer', this);
    const connectionId = crypto.randomUUID();
    const client: Client = { connectionId, socketId: null, transport, data, permissions, joined: true };
    this.clients.push(client);
    this.broadcast({
      method: 'created',
      uri: this.uri(['connection', connectionId]),
      content: this.#hash(client),
    });
    return connectionId;
  }

  /** Publishes a stream for a peer added with `addPeer`. */
  addStream(
    connectionId: string,
    options: { hasVideo?: boolean; name?: string; hasCaptions?: boolean } = {},
  ): string {
    const streamId = crypto.randomUUID();
    const hash = {
      id: streamId,
      name: options.name ?? 'peer stream',
      creationTime: Date.now(),
      connection: this.#hash(this.client(connectionId)),
      channel: [
        {
          id: 'video1',
          type: 'video',
          active: options.hasVideo ?? true,
          width: 640,
          height: 480,
          source: 'camera',
        },
        { id: 'audio1', type: 'audio', active: true },
        { id: 'caption1', type: 'data', active: options.hasCaptions ?? false },
      ],
      customProperties: {},
      publisherAudioFallbackEnabled: false,
      subscriberAudioFallbackEnabled: true,
      sourceStreamId: this.#options.relayed ? 'P2P' : 'MANTIS',
    };
    this.streams.set(streamId, { owner: connectionId, hash });
    this.broadcast({ method: 'created', uri: this.uri(['stream', streamId]), content: hash });
    return streamId;
  }

  /** @internal Called by transports. */
  receive(transport: FakeTransport, data: Uint8Array): void {
    const client = this.clients.find((candidate) => candidate.transport === transport);
    if (!client) return;
    const frame = decodeRumorFrame(data);
    const entry: { client: Client; frame: RumorFrame; message?: RaptorMessage } = { client, frame };
    if (frame.type === RumorType.Message) entry.message = parseRaptorMessage(frame.body);
    this.received.push(entry);
    switch (frame.type) {
      case RumorType.Connect:
        client.connectionId = frame.headers[RumorHeader.UniqueId] ?? null;
        return;
      case RumorType.Ping:
        transport.deliver({ type: RumorType.Pong, to: [], headers: {}, body: '' });
        return;
      case RumorType.Disconnect:
        this.#leave(client, 'clientDisconnected');
        return;
      case RumorType.Message:
        this.#request(client, frame, entry.message as RaptorMessage);
        return;
      default:
        return;
    }
  }

  #request(client: Client, frame: RumorFrame, message: RaptorMessage): void {
    const transactionId = frame.headers[RumorHeader.TransactionId] ?? '';
    if (this.hold.has(message.method)) return;
    const refusal = this.refuse.get(message.method);
    if (refusal) {
      this.#reply(client, transactionId, refusal[0], { reason: refusal[1] });
      return;
    }
    const uri = parseRaptorUri(message.uri);
    const key = `${uri?.resource}:${message.method}`;
    const ok = (body?: unknown): void => this.#reply(client, transactionId, 200, body);
    switch (key) {
      case 'connection:create': {
        const token = frame.headers[RumorHeader.TokenAuth] ?? '';
        const permissions = token === this.token ? this.#options.permissions : this.extraTokens.get(token);
        if (!permissions) {
          this.#reply(client, transactionId, 403, { reason: 'Invalid token' });
          return;
        }
        client.permissions = permissions;
        client.data = `token=${token.slice(0, 8)}`;
        client.joined = true;
        ok({
          connection: this.clients.filter((other) => other.joined).map((other) => this.#hash(other)),
          stream: [...this.streams.values()].map((stream) => stream.hash),
          archive: [],
        });
        this.broadcast({ method: 'created', uri: message.uri, content: this.#hash(client) });
        return;
      }
      case 'stream:create': {
        const streamId = uri?.params.stream as string;
        const hash = { ...message.content, creationTime: Date.now(), connection: this.#hash(client) };
        this.streams.set(streamId, { owner: client.connectionId as string, hash });
        ok({ content: { iceServers: [] } });
        this.#send(client, {
          method: 'generateoffer',
          uri: message.uri,
          content: { sourceStreamId: 'MANTIS' },
        });
        return;
      }
      case 'stream:offer': {
        ok();
        this.#send(client, {
          method: 'answer',
          uri: message.uri,
          content: { type: 'answer', sdp: 'fake-sfu-answer', sourceStreamId: 'MANTIS' },
        });
        // A stream is announced once, when its first offer arrives; later offers are renegotiations.
        const streamId = uri?.params.stream as string;
        const stream = this.streams.get(streamId);
        if (this.announceStreams && stream && !this.#announced.has(streamId)) {
          this.#announced.add(streamId);
          this.broadcast({ method: 'created', uri: message.uri, content: stream.hash });
        }
        return;
      }
      case 'subscriber:offer':
        // A subscriber's own offer (an ICE restart after a reconnection) is answered by the SFU.
        ok();
        this.#send(client, {
          method: 'answer',
          uri: message.uri,
          content: { type: 'answer', sdp: 'fake-sfu-restart-answer', sourceStreamId: 'MANTIS' },
        });
        return;
      case 'stream:delete': {
        const streamId = uri?.params.stream as string;
        const stream = this.streams.get(streamId);
        ok();
        if (!stream) return;
        this.streams.delete(streamId);
        const reason = stream.owner === client.connectionId ? 'clientDisconnected' : 'forceUnpublished';
        this.broadcast({ method: 'deleted', uri: message.uri, content: {}, reason });
        return;
      }
      case 'stream:update': {
        ok();
        const stream = this.streams.get(uri?.params.stream as string);
        if (stream)
          this.push(stream.owner, {
            method: 'update',
            uri: message.uri,
            content: { reason: 'mute', active: true, channels: ['audio'] },
          });
        return;
      }
      case 'session:update':
        ok();
        this.broadcast(
          { method: 'update', uri: message.uri, content: { reason: 'mute', active: message.content.active } },
          SERVER,
          client.connectionId ?? undefined,
        );
        return;
      case 'stream_channel:update':
        ok();
        this.broadcast({ method: 'updated', uri: message.uri, content: message.content });
        return;
      case 'subscriber:create':
        if (!this.streams.has(uri?.params.stream as string)) {
          this.#reply(client, transactionId, 404, { reason: 'Stream not found' });
          return;
        }
        ok({ content: { iceServers: [] } });
        this.#send(client, {
          method: 'offer',
          uri: message.uri,
          content: { type: 'offer', sdp: 'fake-sfu-offer', sourceStreamId: 'MANTIS' },
        });
        return;
      case 'signal:signal': {
        ok();
        const to = uri?.params.connection;
        if (to) this.push(to, message, client.connectionId ?? '');
        else this.broadcast(message, client.connectionId ?? '');
        return;
      }
      case 'connection:delete': {
        ok();
        const target = this.clients.find((candidate) => candidate.connectionId === uri?.params.connection);
        if (target) this.#leave(target, 'forceDisconnected');
        return;
      }
      default:
        ok();
    }
  }

  #leave(client: Client, reason: string): void {
    if (!client.joined) return;
    for (const [streamId, stream] of this.streams) {
      if (stream.owner !== client.connectionId) continue;
      this.streams.delete(streamId);
      this.broadcast({ method: 'deleted', uri: this.uri(['stream', streamId]), content: {}, reason });
    }
    this.broadcast({
      method: 'deleted',
      uri: this.uri(['connection', client.connectionId as string]),
      content: {},
      reason,
    });
    client.joined = false;
    client.transport.serverClose(1000, '');
  }

  #hash(client: Client): Record<string, unknown> {
    return {
      id: client.connectionId,
      creationTime: 1,
      data: client.data,
      capablities: {},
      permissions: client.permissions,
    };
  }

  #reply(client: Client, transactionId: string, status: number, body?: unknown): void {
    client.transport.deliver({
      type: RumorType.Status,
      to: [client.connectionId ?? ''],
      headers: {
        [RumorHeader.TransactionId]: transactionId,
        [RumorHeader.Status]: String(status),
        [RumorHeader.FromAddress]: SERVER,
      },
      body: body === undefined ? '' : JSON.stringify(body),
    });
  }

  #send(client: Client, message: RaptorMessage, from = SERVER): void {
    client.transport.deliver({
      type: RumorType.Message,
      to: [client.connectionId ?? ''],
      headers: {
        [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
        [RumorHeader.TransactionId]: crypto.randomUUID(),
        [RumorHeader.FromAddress]: from,
      },
      body: serializeRaptorMessage(message),
    });
  }
}
