/**
 * An in-memory server that speaks the gateway's protocol (session info over a fake `fetch`, Rumor frames
 * over fake transports), for unit tests of the client without a network. It keeps a small session model
 * (connections, streams, routed negotiation from `symphony.parley`, signals, moderation) and exposes hooks
 * to drop sockets, push server messages, refuse or hold requests.
 *
 * This file is the server's plumbing and test hooks; the sockets are in `fake-transport.ts`, the answers
 * to each request in `fake-requests.ts`, and the frames it sends in `fake-wire.ts`.
 */
import {
  buildRaptorUri,
  decodeRumorFrame,
  parseRaptorMessage,
  type RaptorMessage,
  type RumorFrame,
  RumorHeader,
  RumorType,
} from '@parley/protocol';
import type { SignalingTransport } from '../signaling/transport.js';
import { type FakeServerInternals, handleRequest } from './fake-requests.js';
import { FakeTransport } from './fake-transport.js';
import {
  connectionHashOf,
  FAKE_SERVER_ADDRESS,
  type FakeClient,
  type FakeStream,
  sendTo,
} from './fake-wire.js';

export { FakeTransport } from './fake-transport.js';
export type { FakeClient, FakeStream } from './fake-wire.js';

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
  readonly clients: FakeClient[] = [];
  /** Every frame received, decoded, in order. */
  readonly received: { client: FakeClient; frame: RumorFrame; message?: RaptorMessage }[] = [];
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
  readonly streams = new Map<string, FakeStream>();
  readonly #options: Required<FakeServerOptions>;
  readonly #internals: FakeServerInternals;

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
    this.#internals = {
      permissions: this.#options.permissions,
      announced: new Set<string>(),
      leave: (client, reason) => this.#leave(client, reason),
    };
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
        symphony_address: `/${FAKE_SERVER_ADDRESS}`,
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
  client(connectionId: string): FakeClient {
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
  push(connectionId: string, message: RaptorMessage, from = FAKE_SERVER_ADDRESS): void {
    sendTo(this.client(connectionId), message, from);
  }

  /** Sends a server message to every joined client. */
  broadcast(message: RaptorMessage, from = FAKE_SERVER_ADDRESS, except?: string): void {
    for (const client of this.clients) {
      if (client.joined && client.connectionId !== except) sendTo(client, message, from);
    }
  }

  /** Joins a second client directly (no SDK), returning its connection ID. */
  addPeer(data = 'peer', permissions = ['publish', 'subscribe']): string {
    const transport = new FakeTransport('ws://fake/peer', this);
    const connectionId = crypto.randomUUID();
    const client: FakeClient = { connectionId, socketId: null, transport, data, permissions, joined: true };
    this.clients.push(client);
    this.broadcast({
      method: 'created',
      uri: this.uri(['connection', connectionId]),
      content: connectionHashOf(client),
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
      connection: connectionHashOf(this.client(connectionId)),
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
    const entry: { client: FakeClient; frame: RumorFrame; message?: RaptorMessage } = { client, frame };
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
        handleRequest(this, this.#internals, client, frame, entry.message as RaptorMessage);
        return;
      default:
        return;
    }
  }

  #leave(client: FakeClient, reason: string): void {
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
}
