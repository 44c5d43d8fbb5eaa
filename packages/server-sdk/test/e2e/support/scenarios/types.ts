/**
 * The shapes shared by the scenario lists: what a scenario gets (a client and a live session), what its
 * call must produce, and the outcomes several scenarios reuse.
 */
import { expect } from 'vitest';
import { type APIError, NotFoundError, type OperationId, type Parley } from '../../../../src/index.js';
import type { LiveClient, ReferenceServer, WebhookSink } from '../reference-server.js';

/** What a scenario gets: a client and a live session (one joined client publishing one stream). */
export interface Fixture {
  video: Parley;
  server: ReferenceServer;
  sessionId: string;
  /** The joined client. */
  live: LiveClient;
  streamId: string;
  /** A well-formed ID that names nothing. */
  missingId: string;
  /** Where the project's webhooks can be sent. */
  sink: WebhookSink;
}

/** What a scenario's call must produce when the server implements the operation. */
export type Outcome =
  | { result: (value: unknown, fixture: Fixture) => void | Promise<void> }
  | { error: new (...args: never[]) => APIError };

/** One call of one SDK method. */
export interface Scenario {
  /** `resource.method` on a {@link Parley} client. */
  method: string;
  /** The operation the call reaches (as named in the server’s 501 message); `null` for local methods. */
  operationId: OperationId | null;
  call(fixture: Fixture): PromiseLike<unknown>;
  outcome: Outcome;
}

/** The call must fail with 404. */
export const notFound: Outcome = { error: NotFoundError };
/** The call must resolve with nothing (a 204). */
export const resolvesEmpty: Outcome = { result: (value) => expect(value).toBeUndefined() };
/** The call must resolve with the fixture's own project. */
export const projectDetails: Outcome = {
  result: (value, f) =>
    expect(value).toMatchObject({ applicationId: f.server.credentials.applicationId, status: 'ACTIVE' }),
};
/** The call must resolve with a page whose items pass `check`. */
export const pageOf = (check: (items: unknown[]) => void): Outcome => ({
  result: (value) => {
    const page = value as { items: unknown[]; totalCount: number };
    expect(Array.isArray(page.items)).toBe(true);
    expect(page.totalCount).toBeGreaterThanOrEqual(page.items.length);
    check(page.items);
  },
});

/** A list filter for the fixture's session. */
export const bySession = (f: Fixture) => ({ sessionId: f.sessionId });
