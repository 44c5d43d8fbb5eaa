/**
 * A client connected to the session (OpenTok.js `Connection`). The client's own connection is
 * `session.connection`; others arrive with `connectionCreated`.
 */
import type { ProtocolConnection } from '@parley/protocol';

/** What a connection may do (its token's role), as the server lists it. */
export type Permission = 'publish' | 'subscribe' | 'forceunpublish' | 'forcedisconnect' | 'forcemute';

const PERMISSIONS = new Set<string>([
  'publish',
  'subscribe',
  'forceunpublish',
  'forcedisconnect',
  'forcemute',
]);

/** A connection to the session. */
export class Connection {
  /** The connection ID (chosen by the connecting client). */
  readonly connectionId: string;
  /** When the connection was created, in ms since the epoch. */
  readonly creationTime: number;
  /** The connection data of the client's token (an empty string when it has none). */
  readonly data: string;
  /** What the connection may do. */
  readonly permissions: ReadonlySet<Permission>;

  /** @internal */
  constructor(connectionId: string, creationTime: number, data: string, permissions: Iterable<Permission>) {
    this.connectionId = connectionId;
    this.creationTime = creationTime;
    this.data = data;
    this.permissions = new Set(permissions);
  }

  /** The same as `connectionId` (OpenTok.js offers both). */
  get id(): string {
    return this.connectionId;
  }

  /** @internal Builds a connection from the server's connection hash; unknown permissions are dropped. */
  static fromHash(hash: Partial<ProtocolConnection> & { id: string }): Connection {
    const permissions = Array.isArray(hash.permissions)
      ? (hash.permissions.filter((value) => PERMISSIONS.has(value)) as Permission[])
      : [];
    return new Connection(
      hash.id,
      typeof hash.creationTime === 'number' ? hash.creationTime : 0,
      typeof hash.data === 'string' ? hash.data : '',
      permissions,
    );
  }
}

/** The session capabilities of the client's own connection (OpenTok.js `session.capabilities`), as 1/0. */
export interface Capabilities {
  publish: 0 | 1;
  subscribe: 0 | 1;
  forceUnpublish: 0 | 1;
  forceDisconnect: 0 | 1;
  forceMute: 0 | 1;
}

/** Derives the capabilities from a connection's permissions (all 0 before connecting). */
export function capabilitiesOf(connection: Connection | null): Capabilities {
  const has = (permission: Permission): 0 | 1 => (connection?.permissions.has(permission) ? 1 : 0);
  return {
    publish: has('publish'),
    subscribe: has('subscribe'),
    forceUnpublish: has('forceunpublish'),
    forceDisconnect: has('forcedisconnect'),
    forceMute: has('forcemute'),
  };
}
