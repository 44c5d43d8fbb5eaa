/**
 * Test support (not shipped): verifies a client token of any of the three formats the way a server
 * does — by the algorithms and claims the spec documents — and normalises what it grants.
 */
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { jwtVerify } from 'jose';

/** What a client token grants, whatever its format. */
export interface DecodedClientToken {
  format: 'vonage-jwt' | 'legacy-jwt' | 'T1';
  /** The application ID (Vonage JWT) or API key (legacy formats) that signed it. */
  issuer: string;
  sessionId: string;
  role: string;
  expiresAt: number;
  connectionData: string | undefined;
  layoutClassList: string;
  claims: Record<string, unknown>;
}

/** Verifies and decodes `token`; throws if the signature, algorithm or required claims are wrong. */
export async function decodeClientToken(
  token: string,
  keys: { publicKey?: KeyObject; apiSecret?: string },
): Promise<DecodedClientToken> {
  if (token.startsWith('T1==')) return decodeT1(token, keys.apiSecret ?? '');
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
    alg?: string;
  };
  if (header.alg === 'RS256') {
    if (!keys.publicKey) throw new Error('RS256 token but no public key');
    const { payload } = await jwtVerify(token, keys.publicKey, { algorithms: ['RS256'] });
    if (payload.scope !== 'session.connect') throw new Error('scope must be session.connect');
    return normalise('vonage-jwt', String(payload.application_id), payload);
  }
  if (header.alg === 'HS256') {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(keys.apiSecret ?? ''), {
      algorithms: ['HS256'],
    });
    if (payload.scope !== 'session.connect' || payload.ist !== 'project')
      throw new Error('legacy claims missing');
    return normalise('legacy-jwt', String(payload.iss), payload);
  }
  throw new Error(`unexpected alg ${header.alg}`);
}

function normalise(
  format: DecodedClientToken['format'],
  issuer: string,
  claims: Record<string, unknown>,
): DecodedClientToken {
  const list = claims.initial_layout_class_list;
  return {
    format,
    issuer,
    sessionId: String(claims.session_id),
    role: String(claims.role ?? 'publisher'),
    expiresAt: Number(claims.exp ?? claims.expire_time),
    connectionData: (claims.connection_data ?? claims.data) as string | undefined,
    layoutClassList: Array.isArray(list) ? list.join(' ') : String(list ?? ''),
    claims,
  };
}

function decodeT1(token: string, secret: string): DecodedClientToken {
  const decoded = Buffer.from(token.slice(4), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const head = new URLSearchParams(decoded.slice(0, separator));
  const data = decoded.slice(separator + 1);
  const expected = createHmac('sha1', secret).update(data).digest();
  const given = Buffer.from(head.get('sig') ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new Error('bad T1 signature');
  const fields = Object.fromEntries(
    data.split('&').map((pair) => {
      const [name = '', value = ''] = pair.split('=');
      return [name, decodeURIComponent(value.replace(/\+/g, ' '))];
    }),
  );
  const created = Number(fields.create_time);
  return {
    format: 'T1',
    issuer: head.get('partner_id') ?? '',
    sessionId: fields.session_id ?? '',
    role: fields.role ?? 'publisher',
    expiresAt: fields.expire_time ? Number(fields.expire_time) : created + 86_400,
    connectionData: fields.connection_data,
    layoutClassList: fields.initial_layout_class_list ?? '',
    claims: fields,
  };
}
