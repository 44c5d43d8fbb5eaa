/**
 * AWS Signature Version 4 for S3 requests (header-based), written from the AWS documentation
 * ("Authenticating Requests: Using the Authorization Header"), with `node:crypto` only:
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
 *   StringToSign     = "AWS4-HMAC-SHA256" \n AmzDate \n Date/Region/s3/aws4_request \n hex(SHA256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + Secret, Date), Region), "s3"), "aws4_request")
 *
 * S3 differs from the other services in one point: the URI path is encoded once, not twice.
 */
import { createHash, createHmac } from 'node:crypto';

/** The SHA-256 of an empty payload, hex. */
export const EMPTY_PAYLOAD_SHA256 = createHash('sha256').digest('hex');

/** Credentials that sign S3 requests. */
export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A request to sign. */
export interface SigV4Request {
  method: string;
  url: URL;
  /** Headers to send and sign besides `host`, `x-amz-date` and `x-amz-content-sha256`. */
  headers?: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body. */
  payloadHash: string;
  region: string;
  /** Default `s3`. */
  service?: string;
  now: Date;
}

/** Hex SHA-256 of `data`. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 encoding as SigV4 wants it: every byte but `A-Z a-z 0-9 - . _ ~` (and `/` when kept). */
export function uriEncode(text: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The canonical URI of a URL path: each segment decoded and encoded once (S3 rule). */
export function canonicalUri(pathname: string): string {
  if (pathname === '') return '/';
  return pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
}

/** The canonical query string: parameters encoded, sorted by name then value, `name=value` joined by `&`. */
export function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** `20130524T000000Z`. */
export function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The pieces of a signature, exposed so a verifier (and tests) can check each step. */
export interface SigV4Signature {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  /** Hex signature. */
  signature: string;
  scope: string;
}

/**
 * Computes the signature of a request whose headers (lowercase names) are exactly `signed`; the caller
 * includes `host`, `x-amz-date` and `x-amz-content-sha256`.
 */
export function computeSigV4(
  method: string,
  url: URL,
  signed: Readonly<Record<string, string>>,
  payloadHash: string,
  secretAccessKey: string,
  region: string,
  service: string,
): SigV4Signature {
  const date = signed['x-amz-date'];
  if (!date) throw new Error('x-amz-date must be signed');
  const names = Object.keys(signed)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names
    .map((name) => `${name}:${(lower[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const day = date.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return { canonicalRequest, stringToSign, signedHeaders, signature, scope };
}

/** Signs `request`: returns every header to send, `authorization` included (but not `host`). */
export function signV4(request: SigV4Request, credentials: SigV4Credentials): Record<string, string> {
  const date = amzDate(request.now);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = request.payloadHash;
  const signed = { ...headers, host: request.url.host };
  const { signedHeaders, signature, scope } = computeSigV4(
    request.method,
    request.url,
    signed,
    request.payloadHash,
    credentials.secretAccessKey,
    request.region,
    request.service ?? 's3',
  );
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
