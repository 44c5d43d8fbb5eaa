/**
 * Session-ID helpers. A session ID is `<v>_` followed by the URL-safe base64 (no padding) of a
 * `~`-separated string:
 *
 * ```
 * 2_ + base64url("1~<apiKey>~<location IPv4 or empty>~<created ms>~<random>~<applicationId>~")
 * ```
 *
 * Older IDs (`1_…`, with a date string as the creation time) and IDs minted by Vonage decode the same
 * way. Clients treat IDs as opaque; these helpers exist for the legacy ownership check and for logs.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe } from '../core/path.js';

/** The fields of a decoded session ID. */
export interface DecodedSessionId {
  /** The prefix before the first `_` (`1` or `2`). */
  prefix: string;
  /** The first decoded field, the format version (`1`). */
  formatVersion: string;
  /** The numeric API key of the project that owns the session. */
  apiKey: string;
  /** The IPv4 location hint given at creation, if any. */
  location: string | undefined;
  /** When the session was created, if the ID records it in a readable form. */
  createdAt: Date | undefined;
  /** The random part that makes the ID unique. */
  random: string;
  /** The project's application ID, present in IDs minted by Parley. */
  applicationId: string | undefined;
  /** Every decoded `~`-separated field, for IDs with fields this version does not know. */
  fields: string[];
}

/** The longest session ID the API accepts. */
export const MAX_SESSION_ID_LENGTH = 255;

/**
 * Checks the session ID's shape (non-empty, at most 255 characters, URL-safe characters only) without
 * decoding it; throws {@link InvalidArgumentError} naming `field`.
 */
export function assertSessionIdShape(sessionId: unknown, field = 'sessionId'): asserts sessionId is string {
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new InvalidArgumentError(field, `must be a non-empty string (got ${describe(sessionId)})`);
  }
  if (sessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_SESSION_ID_LENGTH} characters`);
  }
  if (!/^[A-Za-z0-9_~.-]+$/.test(sessionId)) {
    throw new InvalidArgumentError(field, 'may contain only letters, digits, "_", "-", "~" and "."');
  }
}

/** Decodes a session ID into its fields; throws {@link InvalidArgumentError} if it is not one. */
export function decodeSessionId(sessionId: string, field = 'sessionId'): DecodedSessionId {
  assertSessionIdShape(sessionId, field);
  const separator = sessionId.indexOf('_');
  if (separator < 1) throw new InvalidArgumentError(field, 'is not a session ID: it has no "<v>_" prefix');
  const encoded = sessionId.slice(separator + 1);
  const decoded = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  const fields = decoded.split('~');
  const [formatVersion = '', apiKey = '', location = '', created = '', random = '', applicationId = ''] =
    fields;
  if (fields.length < 3 || apiKey === '') {
    throw new InvalidArgumentError(
      field,
      'is not a session ID: its payload does not decode to "~"-separated fields',
    );
  }
  return {
    prefix: sessionId.slice(0, separator),
    formatVersion,
    apiKey,
    location: location === '' ? undefined : location,
    createdAt: parseCreated(created),
    random,
    applicationId: applicationId === '' ? undefined : applicationId,
    fields,
  };
}

/**
 * Whether `sessionId` belongs to the project with API key `apiKey` (the check the legacy SDKs make
 * before minting a token). False for IDs that do not decode.
 */
export function sessionBelongsToApiKey(sessionId: string, apiKey: string): boolean {
  try {
    return decodeSessionId(sessionId).apiKey === String(apiKey);
  } catch {
    return false;
  }
}

function parseCreated(value: string): Date | undefined {
  if (value === '') return undefined;
  // Newer IDs hold epoch milliseconds; older ones a date string such as "Tue Jan 28 15:48:40 PST 2014".
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(time) ? new Date(time) : undefined;
}
