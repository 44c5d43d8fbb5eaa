/**
 * HTTP digest authentication for SIP (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): reads a
 * `WWW-Authenticate` / `Proxy-Authenticate` challenge and computes the `Authorization` /
 * `Proxy-Authorization` credentials for a request. MD5 and SHA-256 (and their `-sess` variants), with
 * `qop=auth` or no qop (RFC 2069 compatibility). `auth-int` is not offered by SIP servers in practice
 * and is answered with `auth` only when the server allows it.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A parsed digest challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** Upper-case (`MD5`, `SHA-256`, `MD5-SESS`, …). Default `MD5`. */
  algorithm: string;
  /** The qop options offered (`auth`, `auth-int`); empty for none. */
  qop: string[];
  stale: boolean;
}

/** What the credentials are computed over. */
export interface DigestRequest {
  method: string;
  uri: string;
  username: string;
  password: string;
  /** The nonce count (1 for the first use of a nonce). */
  nonceCount: number;
  /** The client nonce; default random. Tests pass the RFC's. */
  cnonce?: string;
}

/** Thrown for a challenge that cannot be answered; the message says why. */
export class DigestError extends Error {
  override readonly name = 'DigestError';
}

const HASHES: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

/** Parses the value of a `WWW-Authenticate` or `Proxy-Authenticate` header. */
export function parseDigestChallenge(value: string): DigestChallenge {
  const match = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!match?.[1]) throw new DigestError(`The challenge "${value}" is not a Digest challenge`);
  const params = new Map<string, string>();
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (const part of match[1].matchAll(pattern)) {
    if (part[1]) params.set(part[1].toLowerCase(), (part[2] ?? part[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) {
    throw new DigestError('The digest challenge has no realm or nonce');
  }
  const opaque = params.get('opaque');
  return {
    realm,
    nonce,
    ...(opaque === undefined ? {} : { opaque }),
    algorithm: (params.get('algorithm') ?? 'MD5').toUpperCase(),
    qop: (params.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q) => q !== ''),
    stale: params.get('stale')?.toLowerCase() === 'true',
  };
}

/** Computes the credentials header value (`Digest username="…", …`) answering `challenge`. */
export function digestCredentials(challenge: DigestChallenge, request: DigestRequest): string {
  const session = challenge.algorithm.endsWith('-SESS');
  const base = session ? challenge.algorithm.slice(0, -5) : challenge.algorithm;
  const algorithm = HASHES[base];
  if (!algorithm) throw new DigestError(`The digest algorithm ${challenge.algorithm} is not supported`);
  const hash = (text: string) => createHash(algorithm).update(text, 'utf8').digest('hex');
  if (challenge.qop.length > 0 && !challenge.qop.includes('auth')) {
    throw new DigestError(`The challenge asks for qop ${challenge.qop.join(', ')}; only auth is supported`);
  }
  const qop = challenge.qop.length > 0 ? 'auth' : null;
  const cnonce = request.cnonce ?? randomBytes(8).toString('hex');
  const nc = request.nonceCount.toString(16).padStart(8, '0');
  let ha1 = hash(`${request.username}:${challenge.realm}:${request.password}`);
  if (session) ha1 = hash(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = hash(`${request.method}:${request.uri}`);
  const response = qop
    ? hash(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : hash(`${ha1}:${challenge.nonce}:${ha2}`);
  const fields = [
    `username="${quote(request.username)}"`,
    `realm="${quote(challenge.realm)}"`,
    `nonce="${quote(challenge.nonce)}"`,
    `uri="${quote(request.uri)}"`,
    `response="${response}"`,
    `algorithm=${base}${session ? '-sess' : ''}`,
  ];
  if (challenge.opaque !== undefined) fields.push(`opaque="${quote(challenge.opaque)}"`);
  if (qop) fields.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${quote(cnonce)}"`);
  return `Digest ${fields.join(', ')}`;
}

function quote(text: string): string {
  return text.replace(/(["\\])/g, '\\$1');
}
