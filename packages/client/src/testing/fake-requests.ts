/**
 * The fake server's answers to the client's Raptor requests: a small session model (join with a token,
 * streams announced after their first offer, routed negotiation from `symphony.parley`, signals, force
 * mute, force disconnect). Kept apart from the server's socket plumbing so the protocol behaviour the
 * client's unit tests rely on reads as one table of cases.
 */
import { parseRaptorUri, type RaptorMessage, type RumorFrame, RumorHeader } from '@parley/protocol';
import type { FakeServer } from './fake-server.js';
import { connectionHashOf, FAKE_SERVER_ADDRESS, type FakeClient, replyTo, sendTo } from './fake-wire.js';

/** The fake server's state the request handlers need beyond its public members. */
export interface FakeServerInternals {
  /** The permissions of the server's own `token`. */
  readonly permissions: string[];
  /** The streams already announced (`created`), so later offers are renegotiations. */
  readonly announced: Set<string>;
  /** Ends a client's connection with `reason` (its streams first). */
  leave(client: FakeClient, reason: string): void;
}

/** Answers one request of `client`, unless the test holds or refuses its method. */
export function handleRequest(
  server: FakeServer,
  internals: FakeServerInternals,
  client: FakeClient,
  frame: RumorFrame,
  message: RaptorMessage,
): void {
  const transactionId = frame.headers[RumorHeader.TransactionId] ?? '';
  if (server.hold.has(message.method)) return;
  const refusal = server.refuse.get(message.method);
  if (refusal) {
    replyTo(client, transactionId, refusal[0], { reason: refusal[1] });
    return;
  }
  const uri = parseRaptorUri(message.uri);
  const key = `${uri?.resource}:${message.method}`;
  const ok = (body?: unknown): void => replyTo(client, transactionId, 200, body);
  switch (key) {
    case 'connection:create': {
      const token = frame.headers[RumorHeader.TokenAuth] ?? '';
      const permissions = token === server.token ? internals.permissions : server.extraTokens.get(token);
      if (!permissions) {
        replyTo(client, transactionId, 403, { reason: 'Invalid token' });
        return;
      }
      client.permissions = permissions;
      client.data = `token=${token.slice(0, 8)}`;
      client.joined = true;
      ok({
        connection: server.clients.filter((other) => other.joined).map(connectionHashOf),
        stream: [...server.streams.values()].map((stream) => stream.hash),
        archive: [],
      });
      server.broadcast({ method: 'created', uri: message.uri, content: connectionHashOf(client) });
      return;
    }
    case 'stream:create': {
      const streamId = uri?.params.stream as string;
      const hash = { ...message.content, creationTime: Date.now(), connection: connectionHashOf(client) };
      server.streams.set(streamId, { owner: client.connectionId as string, hash });
      ok({ content: { iceServers: [] } });
      sendTo(client, {
        method: 'generateoffer',
        uri: message.uri,
        content: { sourceStreamId: 'MANTIS' },
      });
      return;
    }
    case 'stream:offer': {
      ok();
      sendSdp(client, message.uri, 'answer', 'fake-sfu-answer');
      // A stream is announced once, when its first offer arrives; later offers are renegotiations.
      const streamId = uri?.params.stream as string;
      const stream = server.streams.get(streamId);
      if (server.announceStreams && stream && !internals.announced.has(streamId)) {
        internals.announced.add(streamId);
        server.broadcast({ method: 'created', uri: message.uri, content: stream.hash });
      }
      return;
    }
    case 'subscriber:offer':
      // A subscriber's own offer (an ICE restart after a reconnection) is answered by the SFU.
      ok();
      sendSdp(client, message.uri, 'answer', 'fake-sfu-restart-answer');
      return;
    case 'stream:delete': {
      const streamId = uri?.params.stream as string;
      const stream = server.streams.get(streamId);
      ok();
      if (!stream) return;
      server.streams.delete(streamId);
      const reason = stream.owner === client.connectionId ? 'clientDisconnected' : 'forceUnpublished';
      server.broadcast({ method: 'deleted', uri: message.uri, content: {}, reason });
      return;
    }
    case 'stream:update': {
      ok();
      const stream = server.streams.get(uri?.params.stream as string);
      if (stream)
        server.push(stream.owner, {
          method: 'update',
          uri: message.uri,
          content: { reason: 'mute', active: true, channels: ['audio'] },
        });
      return;
    }
    case 'session:update':
      ok();
      server.broadcast(
        { method: 'update', uri: message.uri, content: { reason: 'mute', active: message.content.active } },
        FAKE_SERVER_ADDRESS,
        client.connectionId ?? undefined,
      );
      return;
    case 'stream_channel:update':
      ok();
      server.broadcast({ method: 'updated', uri: message.uri, content: message.content });
      return;
    case 'subscriber:create':
      if (!server.streams.has(uri?.params.stream as string)) {
        replyTo(client, transactionId, 404, { reason: 'Stream not found' });
        return;
      }
      ok({ content: { iceServers: [] } });
      sendSdp(client, message.uri, 'offer', 'fake-sfu-offer');
      return;
    case 'signal:signal': {
      ok();
      const to = uri?.params.connection;
      if (to) server.push(to, message, client.connectionId ?? '');
      else server.broadcast(message, client.connectionId ?? '');
      return;
    }
    case 'connection:delete': {
      ok();
      const target = server.clients.find((candidate) => candidate.connectionId === uri?.params.connection);
      if (target) internals.leave(target, 'forceDisconnected');
      return;
    }
    default:
      ok();
  }
}

/** Sends an SDP from the fake SFU (`sourceStreamId: MANTIS`) on `uri`, as `offer` or `answer`. */
function sendSdp(client: FakeClient, uri: string, type: 'offer' | 'answer', sdp: string): void {
  sendTo(client, { method: type, uri, content: { type, sdp, sourceStreamId: 'MANTIS' } });
}
