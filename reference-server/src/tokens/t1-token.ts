/**
 * The legacy `T1==` client token (spec: info › *Client tokens*, format 3):
 *
 *     "T1==" + base64("partner_id=<api key>&sig=<hex HMAC-SHA1(api secret, data)>:" + data)
 *
 * where `data` is a query string (`session_id`, `create_time`, `expire_time`, `role`, `nonce`, optional
 * `connection_data`, `initial_layout_class_list`, `scope`). The signature covers the exact bytes of
 * `data`, so parameter order does not matter.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ProjectRecord } from '../store/types.js';
import { ClientTokenError } from './errors.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, requireActiveProject, type TokenFields } from './token-rules.js';

/** The prefix that marks a T1 token. */
export const T1_PREFIX = 'T1==';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX_SHA1 = /^[0-9a-f]{40}$/i;

/** Verifies a T1 token's signature and returns its project and fields, still to be checked by the shared rules. */
export async function verifyT1Token(
  token: string,
  resolveProject: (idOrKey: string) => Promise<ProjectRecord | null>,
): Promise<{ project: ProjectRecord; fields: TokenFields }> {
  const encoded = token.slice(T1_PREFIX.length);
  if (!BASE64.test(encoded) || encoded === '') {
    throw new ClientTokenError('malformed', 'The T1 token is not valid base64 after "T1=="');
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0)
    throw new ClientTokenError('malformed', 'The T1 token has no ":" between its header and data');
  const header = uniqueParams(decoded.slice(0, colon), 'header');
  const data = decoded.slice(colon + 1);

  const partnerId = header.get('partner_id');
  const sig = header.get('sig');
  if (!partnerId) throw new ClientTokenError('malformed', 'The T1 token has no partner_id');
  if (!sig || !HEX_SHA1.test(sig))
    throw new ClientTokenError('malformed', 'The T1 token sig is not 40 hex digits');

  const project = requireActiveProject(await resolveProject(partnerId), partnerId, 'partner_id');
  const expected = createHmac('sha1', project.apiSecret).update(data, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) {
    throw new ClientTokenError(
      'bad-signature',
      'The T1 token signature does not match the project’s API secret',
    );
  }

  const params = uniqueParams(data, 'data');
  const createTime = seconds(params.get('create_time'), 'create_time');
  if (createTime === null) throw new ClientTokenError('malformed', 'The T1 token has no create_time');
  const expireTime = seconds(params.get('expire_time'), 'expire_time');
  return {
    project,
    fields: {
      format: 't1',
      scope: params.get('scope') ?? undefined,
      sessionId: params.get('session_id') ?? undefined,
      role: params.get('role') ?? undefined,
      connectionData: params.get('connection_data') ?? undefined,
      layoutClasses: params.get('initial_layout_class_list') ?? undefined,
      issuedAt: createTime,
      // Some SDKs (Ruby, PHP) may omit expire_time; the spec gives such tokens 24 hours.
      expiresAt: expireTime ?? createTime + DEFAULT_TOKEN_LIFETIME_SECONDS,
      notBefore: null,
      nonce: params.get('nonce') ?? undefined,
      scopeOptional: true,
    },
  };
}

/** Parses a query string, refusing repeated keys (which decoders could read differently). */
function uniqueParams(query: string, part: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (params.has(key)) throw new ClientTokenError('malformed', `The T1 token ${part} repeats "${key}"`);
    params.set(key, value);
  }
  return params;
}

function seconds(value: string | undefined, name: string): number | null {
  if (value === undefined || value === '') return null;
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value)) {
    throw new ClientTokenError('malformed', `The T1 token ${name} is not a Unix time in seconds`);
  }
  return Number(value);
}
