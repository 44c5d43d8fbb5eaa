/**
 * Uploads to Amazon S3 and S3-compatible providers: one SigV4-signed `PUT Object`. Used for the test write
 * of `setArchiveStorage` and, by the recording feature, for archive uploads.
 *
 * Addressing: Amazon endpoints use virtual-hosted-style URLs (`https://<bucket>.s3.amazonaws.com/<key>`)
 * when the bucket name allows it (no dots, which would break TLS); everything else path-style
 * (`<endpoint>/<bucket>/<key>`), which MinIO and most other providers expect.
 *
 * Region: taken from an Amazon endpoint's host name (`s3.eu-west-1.amazonaws.com`), else `us-east-1`
 * (Amazon's global endpoint, MinIO's default). When the bucket lives elsewhere Amazon answers with an
 * `x-amz-bucket-region` header; the upload is then retried once, signed for that region (and, for
 * Amazon, sent to that region's endpoint).
 */
import { type FetchLike, type PutResult, readErrorCode, requestFailure } from './http.js';
import { sha256Hex, signV4 } from './sigv4.js';

/** The S3 default endpoint (the spec's default for `config.endpoint`). */
export const DEFAULT_S3_ENDPOINT = 'https://s3.amazonaws.com';

/** An S3 target with its secret in clear. */
export interface S3Target {
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** Default {@link DEFAULT_S3_ENDPOINT}. */
  endpoint?: string;
  /** `s3` asks for SSE-S3 (`x-amz-server-side-encryption: AES256`). */
  sse?: 'none' | 's3';
}

/** What an upload needs besides the target. */
export interface S3PutOptions {
  key: string;
  body: Uint8Array;
  contentType: string;
  fetch?: FetchLike;
  now?: () => number;
  timeoutMs?: number;
}

const AMAZON_HOST = /^(?:s3|s3[.-]([a-z0-9-]+))\.amazonaws\.com(?:\.cn)?$/;

/** The signing region for an endpoint host. */
export function regionForEndpoint(endpoint: URL): string {
  const match = AMAZON_HOST.exec(endpoint.hostname);
  const region = match?.[1];
  return region && region !== 'external-1' ? region : 'us-east-1';
}

const isAmazon = (endpoint: URL): boolean => AMAZON_HOST.test(endpoint.hostname);

/** Encodes an object key for a URL path, keeping its slashes. */
const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

/** The URL of `key` in `bucket` at `endpoint`. */
export function objectUrl(endpoint: URL, bucket: string, key: string): URL {
  const base = endpoint.pathname.replace(/\/+$/, '');
  if (isAmazon(endpoint) && /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) {
    return new URL(`${endpoint.protocol}//${bucket}.${endpoint.host}${base}/${encodeKey(key)}`);
  }
  return new URL(
    `${endpoint.protocol}//${endpoint.host}${base}/${encodeURIComponent(bucket)}/${encodeKey(key)}`,
  );
}

/** Writes one object. Never throws for a refusal or a network failure: it reports them. */
export async function s3PutObject(target: S3Target, options: S3PutOptions): Promise<PutResult> {
  const fetchImpl = options.fetch ?? fetch;
  let endpoint = new URL(target.endpoint ?? DEFAULT_S3_ENDPOINT);
  let region = regionForEndpoint(endpoint);
  const payloadHash = sha256Hex(options.body);
  for (let attempt = 0; ; attempt++) {
    const url = objectUrl(endpoint, target.bucket, options.key);
    const headers = signV4(
      {
        method: 'PUT',
        url,
        headers: {
          'content-type': options.contentType,
          ...(target.sse === 's3' ? { 'x-amz-server-side-encryption': 'AES256' } : {}),
        },
        payloadHash,
        region,
        now: new Date((options.now ?? Date.now)()),
      },
      { accessKeyId: target.accessKey, secretAccessKey: target.secretKey },
    );
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'PUT',
        headers,
        body: options.body,
        // A redirect would need a new signature for the new host; the region retry below handles it.
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      return requestFailure(error);
    }
    if (response.ok) {
      await response.body?.cancel();
      return { ok: true, status: response.status };
    }
    const bucketRegion = response.headers.get('x-amz-bucket-region');
    const reason = await readErrorCode(response, 'x-amz-error-code');
    if (attempt === 0 && bucketRegion && bucketRegion !== region) {
      region = bucketRegion;
      if (isAmazon(endpoint)) endpoint = new URL(`${endpoint.protocol}//s3.${region}.amazonaws.com`);
      continue;
    }
    return { ok: false, status: response.status, reason };
  }
}
