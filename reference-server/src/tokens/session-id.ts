/**
 * Session IDs in the Vonage/OpenTok format (spec: info › *Session IDs*):
 *
 *     2_ + base64url("1~<apiKey>~<location IPv4 or empty>~<created ms>~<random>~<applicationId>~")
 *
 * Field 1 is the project's numeric API key, so the legacy SDKs' ownership check (decode, split on `~`,
 * compare field 1 with the API key) passes for IDs we mint. Decoding also accepts IDs minted by
 * OpenTok/Vonage, whose creation time may be a date string and whose trailing fields may be missing.
 */
import { isIPv4 } from 'node:net';
import { randomBase64Url } from './random-pool.js';

/** What {@link encodeSessionId} needs to mint a session ID. */
export interface SessionIdParts {
  /** The owning project's numeric API key. */
  apiKey: string;
  /** The owning project's application ID (UUID). */
  applicationId: string;
  /** The IPv4 location hint given at session creation, or null. */
  location: string | null;
  /** Creation time, ms since the Unix epoch. */
  createdAt: number;
  /** The random part; 16 random bytes (base64url) when omitted. Tests pass a fixed one. */
  nonce?: string;
}

/** The fields of a decoded session ID. */
export interface DecodedSessionId {
  /** The prefix before `_` (`1` or `2` in the wild). */
  prefix: string;
  /** Field 0 of the payload, the payload's format version (`1` in every known ID). */
  formatVersion: string;
  /** Field 1: the project's API key (in IDs minted by Vonage for an application, possibly its UUID). */
  apiKey: string;
  /** Field 2: the location hint, or null when empty. */
  location: string | null;
  /** Field 3 as ms since the epoch (it is a date string in old IDs); null when absent or unreadable. */
  createdAt: number | null;
  /** Field 4: the random part ('' when absent). */
  nonce: string;
  /** Field 5: the application ID in IDs minted by Parley; null when absent. */
  applicationId: string | null;
}

/** Session IDs are at most this long (documented by the OpenTok SDKs). */
export const MAX_SESSION_ID_LENGTH = 255;

const SESSION_ID_PATTERN = /^([0-9]+)_([A-Za-z0-9_-]+)$/;
/** Printable ASCII: a payload holding anything else is not a session ID that happens to decode. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Mints a session ID for a project. Throws a `TypeError` naming the field when an input cannot be encoded. */
export function encodeSessionId(parts: SessionIdParts): string {
  checkField('apiKey', parts.apiKey, { required: true });
  checkField('applicationId', parts.applicationId, { required: true });
  // A drawn nonce is base64url by construction; only a given one needs checking.
  if (parts.nonce !== undefined) checkField('nonce', parts.nonce, { required: true });
  const nonce = parts.nonce ?? randomBase64Url(16);
  if (parts.location !== null && !isIPv4(parts.location)) {
    throw new TypeError(`location must be an IPv4 address or null, got "${parts.location}"`);
  }
  if (!Number.isSafeInteger(parts.createdAt) || parts.createdAt < 0) {
    throw new TypeError(`createdAt must be a non-negative integer of milliseconds, got ${parts.createdAt}`);
  }
  const payload = `1~${parts.apiKey}~${parts.location ?? ''}~${parts.createdAt}~${nonce}~${parts.applicationId}~`;
  const id = `2_${Buffer.from(payload, 'latin1').toString('base64url')}`;
  if (id.length > MAX_SESSION_ID_LENGTH) {
    throw new TypeError(`The session ID would be ${id.length} characters, over ${MAX_SESSION_ID_LENGTH}`);
  }
  lastMinted = {
    id,
    decoded: Object.freeze({
      prefix: '2',
      formatVersion: '1',
      apiKey: parts.apiKey,
      location: parts.location,
      createdAt: parts.createdAt,
      nonce,
      applicationId: parts.applicationId,
    }),
  };
  return id;
}

/**
 * The ID {@link encodeSessionId} minted last, with what {@link decodeSessionId} returns for it: a new
 * session's ID is decoded again at once (the store derives the row's key from it), and a decode is
 * ≈ 0.9 µs of a session creation (`bench/PROFILE.md`, seventh round). The fields are exactly the ones
 * encoded: they were checked to hold no `~` and only printable ASCII, so the payload splits back into them.
 */
let lastMinted: { id: string; decoded: Readonly<DecodedSessionId> } | null = null;

/** Decodes a session ID, or returns null when it is not one. */
export function decodeSessionId(sessionId: string): Readonly<DecodedSessionId> | null {
  if (lastMinted !== null && sessionId === lastMinted.id) return lastMinted.decoded;
  if (typeof sessionId !== 'string' || sessionId.length > MAX_SESSION_ID_LENGTH) return null;
  const match = SESSION_ID_PATTERN.exec(sessionId);
  if (!match) return null;
  const [, prefix = '', body = ''] = match;
  const payload = Buffer.from(body, 'base64url').toString('latin1');
  if (!PRINTABLE_ASCII.test(payload)) return null;
  const fields = payload.split('~');
  const [formatVersion = '', apiKey = '', location = '', created = '', nonce = '', applicationId = ''] =
    fields;
  if (fields.length < 2 || !/^[0-9]+$/.test(formatVersion) || apiKey === '') return null;
  return {
    prefix,
    formatVersion,
    apiKey,
    location: location === '' ? null : location,
    createdAt: parseCreated(created),
    nonce,
    applicationId: applicationId === '' ? null : applicationId,
  };
}

/**
 * True when the session ID embeds this project: its API key, or (for IDs minted by Vonage for an
 * application) its application ID, in field 1. A Parley ID must also name the project's application ID.
 */
export function isSessionOfProject(
  sessionId: string,
  project: { apiKey: string; applicationId: string },
): boolean {
  const decoded = decodeSessionId(sessionId);
  if (!decoded) return false;
  if (decoded.apiKey === project.applicationId) return true;
  if (decoded.apiKey !== project.apiKey) return false;
  return decoded.applicationId === null || decoded.applicationId === project.applicationId;
}

function parseCreated(field: string): number | null {
  if (field === '') return null;
  if (/^[0-9]+$/.test(field)) return Number(field);
  const parsed = Date.parse(field);
  return Number.isNaN(parsed) ? null : parsed;
}

function checkField(name: string, value: string, { required }: { required: boolean }): void {
  if (typeof value !== 'string' || (required && value === '')) {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  // `~` separates the fields; anything outside printable ASCII would not survive the legacy decoders.
  if (value.includes('~') || !PRINTABLE_ASCII.test(value)) {
    throw new TypeError(`${name} must be printable ASCII without "~", got "${value}"`);
  }
}
