/**
 * The connections of one live session and how a message reaches them. Kept apart from the session's
 * stream and moderation logic because every event the session fans out goes through the same few rules:
 * only `connected` clients receive anything, a broadcast hands one message object to all of them (the
 * gateway encodes it once), and connection events skip clients that asked not to see other clients'.
 */
import { SignalingError } from '../errors.js';
import type { LiveConnection, OutboundMessage } from './types.js';

/** The connections of one live session, in join order, with delivery to the connected ones. */
export class ConnectionRoster {
  readonly #connections = new Map<string, LiveConnection>();
  readonly #maxConnections: number;

  /** @param maxConnections The most connections the session accepts (`CONNECTION_LIMIT` beyond). */
  constructor(maxConnections: number) {
    this.#maxConnections = maxConnections;
  }

  /** How many connections the session holds, connected or not yet. */
  get size(): number {
    return this.#connections.size;
  }

  /** The connection with this ID. */
  get(id: string): LiveConnection | undefined {
    return this.#connections.get(id);
  }

  /** Every connection, in join order. */
  all(): LiveConnection[] {
    return [...this.#connections.values()];
  }

  /** How many connections are connected (without copying the list: it runs on every join and leave). */
  connectedCount(): number {
    let count = 0;
    for (const connection of this.#connections.values()) if (connection.state === 'connected') count++;
    return count;
  }

  /**
   * Adds a joining connection. Throws `ID_TAKEN` when the ID is in use and `CONNECTION_LIMIT` when the
   * session is full. Returns whether it is the session's first connection.
   */
  add(connection: LiveConnection): boolean {
    if (this.#connections.has(connection.id)) {
      throw new SignalingError('ID_TAKEN', `Connection ${connection.id} is already in the session`);
    }
    if (this.#connections.size >= this.#maxConnections) throw new SignalingError('CONNECTION_LIMIT');
    const first = this.#connections.size === 0;
    this.#connections.set(connection.id, connection);
    return first;
  }

  /** Forgets a connection (it has been told everything it needs). */
  delete(id: string): void {
    this.#connections.delete(id);
  }

  /** Sends a message to one connected client; returns false when it is not connected. */
  sendTo(connectionId: string, message: OutboundMessage): boolean {
    const target = this.#connections.get(connectionId);
    if (target?.state !== 'connected') return false;
    target.endpoint.send(message);
    return true;
  }

  /**
   * Sends one message object to every connected client (its encoding is shared by all copies), except
   * `skip` when given (a moderator is not told about its own request).
   */
  broadcast(message: OutboundMessage, skip?: LiveConnection): void {
    for (const target of this.#connections.values()) {
      if (target.state === 'connected' && target !== skip) target.endpoint.send(message);
    }
  }

  /**
   * Sends a connection event about `subject` to every connected client that wants connection events;
   * `subject` itself always receives it (a joining client learns its own connection, a forced-out one why).
   */
  broadcastConnectionEvent(message: OutboundMessage, subject: LiveConnection): void {
    for (const target of this.#connections.values()) {
      if (target.state !== 'connected') continue;
      if (target.connectionEventsSuppressed && target !== subject) continue;
      target.endpoint.send(message);
    }
  }
}
