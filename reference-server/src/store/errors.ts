/**
 * Errors raised by store implementations. Every store (memory, SQLite, a future shared one) throws these
 * same classes, so handlers map them to HTTP responses once, whatever the backend.
 */

/** Why a store operation was refused. */
export type StoreErrorReason =
  /** A record with the same identity (ID, API key, …) already exists. */
  | 'conflict'
  /** The record to update does not exist. */
  | 'not-found'
  /** The store has been closed. */
  | 'closed';

/** A store operation that was refused; `reason` says why and `entity` names the record kind. */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly reason: StoreErrorReason,
    /** The record kind, e.g. `project` or `session`. */
    readonly entity: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** A record with the same `field` value already exists. */
  static conflict(entity: string, field: string, value: string): StoreError {
    return new StoreError('conflict', entity, `A ${entity} with ${field} "${value}" already exists`);
  }

  /** The record to update does not exist. */
  static notFound(entity: string, id: string): StoreError {
    return new StoreError('not-found', entity, `No ${entity} with id "${id}" exists`);
  }

  /** The store was used after `close()`. */
  static closed(): StoreError {
    return new StoreError('closed', 'store', 'The store is closed');
  }
}
