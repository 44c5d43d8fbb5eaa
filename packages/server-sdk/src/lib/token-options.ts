/**
 * Validation of client-token options, shared by every token format. The rules are the API's: role
 * `publisher` (default), `subscriber`, `moderator` or `publisheronly`; expiry in the future and at most
 * 30 days after issue (default 24 hours); connection data and the initial layout class list at most
 * 1000 characters each.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe } from '../core/path.js';
import type { TokenRole } from '../generated/types.js';

export type { TokenRole };

/** Every {@link TokenRole}. */
export const TOKEN_ROLES: readonly TokenRole[] = ['publisher', 'subscriber', 'moderator', 'publisheronly'];

/** Options of a client token. Every field is optional. */
export interface ClientTokenOptions {
  /** The role granted; default `publisher`. */
  role?: TokenRole;
  /**
   * Connection data (at most 1000 characters), visible to every client in the session as the
   * connection's `data`. Immutable for the connection's lifetime.
   */
  data?: string;
  /**
   * When the token expires, as Unix seconds (what the official SDKs take) or a `Date`. At most 30 days
   * ahead; default 24 hours after issue.
   */
  expireTime?: number | Date;
  /** Layout classes of the streams this client publishes, as a list or a space-separated string. */
  initialLayoutClassList?: readonly string[] | string;
  /**
   * The token format: `jwt` (default) is a Vonage RS256 JWT with application credentials or a legacy
   * HS256 JWT with an API key and secret; `T1` is the legacy `T1==` token (API key and secret only).
   */
  format?: 'jwt' | 'T1';
}

/** Validated token options with every default applied. */
export interface ResolvedTokenOptions {
  role: TokenRole;
  /** Issue time, Unix seconds. */
  issuedAt: number;
  /** Expiry, Unix seconds. */
  expiresAt: number;
  data: string | undefined;
  /** Space-joined layout classes (possibly empty). */
  layoutClassList: string;
  format: 'jwt' | 'T1';
}

/** Default token lifetime: 24 hours. */
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** Longest token lifetime: 30 days. */
export const MAX_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Longest connection data and initial layout class list, in characters. */
export const MAX_TOKEN_FIELD_LENGTH = 1000;

/** Validates `options` (throwing {@link InvalidArgumentError} naming the field) and applies defaults. */
export function resolveTokenOptions(options: ClientTokenOptions = {}, now: number): ResolvedTokenOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', `must be an object (got ${describe(options)})`);
  }
  const role = options.role ?? 'publisher';
  if (!TOKEN_ROLES.includes(role)) {
    throw new InvalidArgumentError(
      'options.role',
      `must be one of ${TOKEN_ROLES.join(', ')} (got ${describe(role)})`,
    );
  }
  const format = options.format ?? 'jwt';
  if (format !== 'jwt' && format !== 'T1') {
    throw new InvalidArgumentError('options.format', `must be "jwt" or "T1" (got ${describe(format)})`);
  }
  return {
    role,
    issuedAt: now,
    expiresAt: resolveExpiry(options.expireTime, now),
    data: resolveData(options.data),
    layoutClassList: resolveLayoutClassList(options.initialLayoutClassList),
    format,
  };
}

function resolveExpiry(expireTime: number | Date | undefined, now: number): number {
  if (expireTime === undefined) return now + DEFAULT_TOKEN_TTL_SECONDS;
  const seconds = expireTime instanceof Date ? Math.floor(expireTime.getTime() / 1000) : expireTime;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    throw new InvalidArgumentError(
      'options.expireTime',
      `must be Unix seconds or a Date (got ${describe(expireTime)})`,
    );
  }
  const whole = Math.floor(seconds);
  if (whole <= now)
    throw new InvalidArgumentError('options.expireTime', `must be in the future (got ${whole})`);
  if (whole > now + MAX_TOKEN_TTL_SECONDS) {
    throw new InvalidArgumentError('options.expireTime', `must be at most 30 days from now (got ${whole})`);
  }
  return whole;
}

function resolveData(data: unknown): string | undefined {
  if (data === undefined || data === null) return undefined;
  if (typeof data !== 'string')
    throw new InvalidArgumentError('options.data', `must be a string (got ${describe(data)})`);
  if (data.length > MAX_TOKEN_FIELD_LENGTH) {
    throw new InvalidArgumentError(
      'options.data',
      `must be at most ${MAX_TOKEN_FIELD_LENGTH} characters (got ${data.length})`,
    );
  }
  return data;
}

function resolveLayoutClassList(list: unknown): string {
  if (list === undefined || list === null) return '';
  let classes: string[];
  if (typeof list === 'string') classes = list.split(/\s+/);
  else if (Array.isArray(list) && list.every((item) => typeof item === 'string')) classes = list;
  else {
    throw new InvalidArgumentError(
      'options.initialLayoutClassList',
      `must be an array of strings or a space-separated string (got ${describe(list)})`,
    );
  }
  const joined = classes.filter((name) => name !== '').join(' ');
  if (joined.length > MAX_TOKEN_FIELD_LENGTH) {
    throw new InvalidArgumentError(
      'options.initialLayoutClassList',
      `must be at most ${MAX_TOKEN_FIELD_LENGTH} characters when joined (got ${joined.length})`,
    );
  }
  return joined;
}
