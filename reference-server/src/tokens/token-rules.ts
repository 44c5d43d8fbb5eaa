/**
 * The rules every client-token format shares (spec: info › *Client tokens*): role, expiry window,
 * connection data and layout-class limits, and session ownership. Each format's parser reduces its token
 * to {@link TokenFields} and hands it to {@link applyTokenRules}.
 */
import type { ProjectRecord, TokenRole } from '../store/types.js';
import { ClientTokenError } from './errors.js';
import { isSessionOfProject } from './session-id.js';

/** The longest a token may live: 30 days after issue. */
export const MAX_TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
/** The longest connection data, in characters. */
export const MAX_CONNECTION_DATA_LENGTH = 1000;
/** The longest initial layout class list (space-joined), in characters. */
export const MAX_LAYOUT_CLASS_LIST_LENGTH = 1000;
/** Legacy tokens without an expiry live this long after creation. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

const ROLES: readonly TokenRole[] = ['publisher', 'subscriber', 'moderator', 'publisheronly'];

/** A client token accepted by {@link verifyClientToken}. Times are ms since the Unix epoch. */
export interface VerifiedClientToken {
  format: 'vonage-jwt' | 'legacy-jwt' | 't1';
  applicationId: string;
  apiKey: string;
  /** The session the token admits to. The caller checks it against the session being joined. */
  sessionId: string;
  role: TokenRole;
  /** The connection data ('' when none), visible to every client of the session. */
  connectionData: string;
  initialLayoutClassList: string[];
  /** When the token was issued (`iat`, else `create_time`); null when the token does not say. */
  issuedAt: number | null;
  expiresAt: number;
  /** The token's `jti` (Vonage) or `nonce` (legacy); null when it has neither. */
  nonce: string | null;
}

/** The claims of a token in a format-neutral shape, still unchecked (values as the token holds them). */
export interface TokenFields {
  format: VerifiedClientToken['format'];
  scope: unknown;
  sessionId: unknown;
  role: unknown;
  connectionData: unknown;
  layoutClasses: unknown;
  /** Unix seconds. */
  issuedAt: number | null;
  /** Unix seconds; null when the token has no expiry claim at all. */
  expiresAt: number | null;
  /** Unix seconds. */
  notBefore: number | null;
  nonce: unknown;
  /** Whether a missing `scope` is acceptable (only T1 tokens from some SDKs omit it). */
  scopeOptional: boolean;
}

/** The clock and skew to check times against. */
export interface TokenClock {
  /** ms since the Unix epoch. */
  now: number;
  toleranceSec: number;
}

/** Checks `fields` against the shared rules and builds the verified token. */
export function applyTokenRules(
  fields: TokenFields,
  project: ProjectRecord,
  clock: TokenClock,
): VerifiedClientToken {
  const nowSec = clock.now / 1000;
  if (!(fields.scopeOptional && fields.scope === undefined) && fields.scope !== 'session.connect') {
    throw new ClientTokenError('wrong-scope', `scope must be "session.connect", got ${show(fields.scope)}`);
  }
  if (typeof fields.sessionId !== 'string' || fields.sessionId === '') {
    throw new ClientTokenError('malformed', 'session_id is missing or not a string');
  }
  const role = fields.role ?? 'publisher';
  if (!ROLES.includes(role as TokenRole)) {
    throw new ClientTokenError('invalid-role', `role must be one of ${ROLES.join(', ')}, got ${show(role)}`);
  }

  if (fields.expiresAt === null) throw new ClientTokenError('malformed', 'The token has no expiry (exp)');
  if (fields.expiresAt + clock.toleranceSec <= nowSec) {
    throw new ClientTokenError('expired', `The token expired at ${iso(fields.expiresAt)}`);
  }
  const notBefore = Math.max(
    fields.issuedAt ?? Number.NEGATIVE_INFINITY,
    fields.notBefore ?? Number.NEGATIVE_INFINITY,
  );
  if (notBefore - clock.toleranceSec > nowSec) {
    throw new ClientTokenError('not-yet-valid', `The token is not valid before ${iso(notBefore)}`);
  }
  const issued = fields.issuedAt ?? nowSec;
  if (fields.expiresAt - issued > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new ClientTokenError(
      'expiry-too-long',
      `The token expires ${Math.round((fields.expiresAt - issued) / 86_400)} days after issue; at most 30 are allowed`,
    );
  }

  const connectionData = fields.connectionData ?? '';
  if (typeof connectionData !== 'string') {
    throw new ClientTokenError('malformed', 'connection_data must be a string');
  }
  if (connectionData.length > MAX_CONNECTION_DATA_LENGTH) {
    throw new ClientTokenError(
      'data-too-long',
      `connection_data is ${connectionData.length} characters; at most ${MAX_CONNECTION_DATA_LENGTH} are allowed`,
    );
  }
  const initialLayoutClassList = layoutClasses(fields.layoutClasses);

  if (!isSessionOfProject(fields.sessionId, project)) {
    throw new ClientTokenError(
      'session-mismatch',
      `session_id is not a session of project ${project.applicationId} (API key ${project.apiKey})`,
    );
  }
  return {
    format: fields.format,
    applicationId: project.applicationId,
    apiKey: project.apiKey,
    sessionId: fields.sessionId,
    role: role as TokenRole,
    connectionData,
    initialLayoutClassList,
    issuedAt: fields.issuedAt === null ? null : fields.issuedAt * 1000,
    expiresAt: fields.expiresAt * 1000,
    nonce: typeof fields.nonce === 'string' || typeof fields.nonce === 'number' ? String(fields.nonce) : null,
  };
}

/** Accepts the class list as a space-separated string (most SDKs) or an array of strings (Python SDK). */
function layoutClasses(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  let classes: string[];
  if (typeof value === 'string') {
    classes = value.split(/\s+/).filter((c) => c !== '');
  } else if (Array.isArray(value) && value.every((c) => typeof c === 'string')) {
    classes = value.flatMap((c: string) => c.split(/\s+/)).filter((c) => c !== '');
  } else {
    throw new ClientTokenError(
      'malformed',
      'initial_layout_class_list must be a string or an array of strings',
    );
  }
  const length = classes.join(' ').length;
  if (length > MAX_LAYOUT_CLASS_LIST_LENGTH) {
    throw new ClientTokenError(
      'layout-classes-too-long',
      `initial_layout_class_list is ${length} characters; at most ${MAX_LAYOUT_CLASS_LIST_LENGTH} are allowed`,
    );
  }
  return classes;
}

/** Checks a project found for a token is usable. */
export function requireActiveProject(
  project: ProjectRecord | null,
  id: string,
  claim: string,
): ProjectRecord {
  if (!project)
    throw new ClientTokenError('unknown-project', `No project matches the token's ${claim} "${id}"`);
  if (project.status !== 'ACTIVE') {
    throw new ClientTokenError('project-suspended', `Project ${project.applicationId} is suspended`);
  }
  return project;
}

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));
const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
