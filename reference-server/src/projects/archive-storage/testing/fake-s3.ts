/**
 * Test support (not a test file): a small S3-compatible server on 127.0.0.1 that checks requests the way
 * S3 does — path-style `PUT Object` only — so the S3 client is tested against an independent reading of
 * the AWS documentation, not against itself. The canonical request is rebuilt here from the raw request
 * line and headers as received; nothing is shared with `sigv4.ts`.
 *
 * Errors are S3's: `InvalidAccessKeyId`, `SignatureDoesNotMatch` (403), `AuthorizationHeaderMalformed`
 * with `x-amz-bucket-region` for a wrong region (400), `RequestTimeTooSkewed` (403),
 * `XAmzContentSHA256Mismatch` (400), `NoSuchBucket` (404).
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An object the fake stored. */
export interface StoredObject {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** A running fake S3. */
export interface FakeS3 {
  /** `http://127.0.0.1:<port>`: use as the target's `endpoint`. */
  endpoint: string;
  /** Objects by `<bucket>/<key>`. */
  objects: Map<string, StoredObject>;
  /** Every request's outcome, in order (`200` or the S3 error code). */
  outcomes: string[];
  close(): Promise<void>;
}

/** What the fake knows. */
export interface FakeS3Options {
  /** Secret keys by access key ID. */
  credentials: Record<string, string>;
  /** Buckets and their regions. */
  buckets: Record<string, string>;
  /** The fake's clock, ms. Default `Date.now`. */
  now?: () => number;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** AWS's URI encoding, written independently of the client's. */
function awsEncode(text: string, slash: boolean): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, slash ? '/' : '%2F');
}

function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Starts the fake. */
export async function startFakeS3(options: FakeS3Options): Promise<FakeS3> {
  const now = options.now ?? Date.now;
  const objects = new Map<string, StoredObject>();
  const outcomes: string[] = [];

  const fail = (
    response: ServerResponse,
    status: number,
    code: string,
    headers: Record<string, string> = {},
  ): undefined => {
    outcomes.push(code);
    response.writeHead(status, { 'content-type': 'application/xml', ...headers });
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
    );
  };

  const handle = (request: IncomingMessage, body: Buffer, response: ServerResponse): undefined => {
    const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split('?');
    if (request.method !== 'PUT') return fail(response, 405, 'MethodNotAllowed');
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
        request.headers.authorization ?? '',
      );
    if (!auth) return fail(response, 400, 'AuthorizationHeaderMalformed');
    const [, accessKey = '', day = '', region = '', signedList = '', signature = ''] = auth;
    const secret = options.credentials[accessKey];
    if (secret === undefined) return fail(response, 403, 'InvalidAccessKeyId');
    const segments = rawPath.split('/').slice(1);
    const bucket = decodeURIComponent(segments[0] ?? '');
    const bucketRegion = options.buckets[bucket];
    if (bucketRegion === undefined) return fail(response, 404, 'NoSuchBucket');
    if (region !== bucketRegion) {
      return fail(response, 400, 'AuthorizationHeaderMalformed', { 'x-amz-bucket-region': bucketRegion });
    }
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    const signedAt = parseAmzDate(amzDate);
    if (!amzDate.startsWith(day) || !(Math.abs(now() - signedAt) <= 15 * 60_000)) {
      return fail(response, 403, 'RequestTimeTooSkewed');
    }
    const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
    if (payloadHash !== sha256(body)) return fail(response, 400, 'XAmzContentSHA256Mismatch');
    const signedNames = signedList.split(';');
    if (!signedNames.includes('host') || !signedNames.includes('x-amz-date')) {
      return fail(response, 403, 'SignatureDoesNotMatch');
    }
    const canonicalPath = rawPath
      .split('/')
      .map((segment) => awsEncode(decodeURIComponent(segment), false))
      .join('/');
    const canonicalQueryString = new URLSearchParams(rawQuery)
      .toString()
      .split('&')
      .filter(Boolean)
      .sort()
      .join('&');
    const canonicalHeaders = signedNames
      .map((name) => `${name}:${String(request.headers[name] ?? '').trim()}\n`)
      .join('');
    const canonical = `PUT\n${canonicalPath}\n${canonicalQueryString}\n${canonicalHeaders}\n${signedList}\n${payloadHash}`;
    const scope = `${day}/${region}/s3/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 's3'), 'aws4_request');
    if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) {
      return fail(response, 403, 'SignatureDoesNotMatch');
    }
    const objectKey = segments.slice(1).map(decodeURIComponent).join('/');
    objects.set(`${bucket}/${objectKey}`, { body, headers: request.headers });
    outcomes.push('200');
    response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
    response.end();
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    outcomes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
