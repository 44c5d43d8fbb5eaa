/**
 * What a session knows about its participants: the connections and the streams of other clients (as
 * the server announced them), and this client's own publishers and subscribers. The session and its
 * dispatcher share one roster, so the routing code and the public methods always see the same state.
 */
import { Connection } from '../Connection.js';
import type { Publisher } from '../Publisher.js';
import { Stream } from '../Stream.js';
import type { Subscriber } from '../Subscriber.js';

/** The participants of one session, as this client sees them. */
export class SessionRoster {
  /** Every connection, the client's own included, by connection ID. */
  readonly connections = new Map<string, Connection>();
  /** The streams of other clients, by stream ID. */
  readonly streams = new Map<string, Stream>();
  /** This client's publishers, by stream ID. */
  readonly publishers = new Map<string, Publisher>();
  /** This client's subscribers, by subscriber ID. */
  readonly subscribers = new Map<string, Subscriber>();
  /** The client's own connection ID while joining or joined. */
  ownConnectionId: string | null = null;

  /** The client's own connection, once the server listed it. */
  get ownConnection(): Connection | null {
    return this.ownConnectionId === null ? null : (this.connections.get(this.ownConnectionId) ?? null);
  }

  /**
   * Adds a connection from its hash. Returns it with `added: false` when it was already known, and
   * `null` for the media server's `symphony.*` pseudo-connections, which apps never see.
   */
  addConnection(hash: Record<string, unknown>): { connection: Connection; added: boolean } | null {
    if (typeof hash.id !== 'string' || hash.id.startsWith('symphony.')) return null;
    const existing = this.connections.get(hash.id);
    if (existing) return { connection: existing, added: false };
    const connection = Connection.fromHash(hash as { id: string });
    this.connections.set(connection.connectionId, connection);
    return { connection, added: true };
  }

  /**
   * Adds another client's stream from its hash (with its owner's connection hash or `connectionId`).
   * Returns `null` for duplicates, the client's own streams and streams of unknown owners.
   */
  addStream(hash: Record<string, unknown>): Stream | null {
    if (typeof hash.id !== 'string' || this.streams.has(hash.id) || this.publishers.has(hash.id)) return null;
    const owner = hash.connection as Record<string, unknown> | undefined;
    const ownerId = typeof owner?.id === 'string' ? owner.id : hash.connectionId;
    if (typeof ownerId !== 'string' || ownerId === this.ownConnectionId) return null;
    // A stream may name an owner the client has not heard of yet; its hash is enough to know it.
    const connection =
      this.connections.get(ownerId) ?? (owner ? (this.addConnection(owner)?.connection ?? null) : null);
    if (!connection) return null;
    const stream = new Stream(hash as never, connection);
    this.streams.set(stream.streamId, stream);
    return stream;
  }

  /** This client's subscribers of a stream. */
  subscribersOf(streamId: string): Subscriber[] {
    return [...this.subscribers.values()].filter((subscriber) => subscriber.stream.streamId === streamId);
  }

  /** Forgets the connections and streams (the publishers and subscribers remove themselves). */
  clear(): void {
    this.connections.clear();
    this.streams.clear();
    this.ownConnectionId = null;
  }
}
