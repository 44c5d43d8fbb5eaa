/**
 * Uploads to Azure Blob Storage: one `PUT Blob` (block blob) authorised with Shared Key, written from the
 * Azure documentation ("Authorize with Shared Key", service version 2015-02-21 and later):
 *
 *   StringToSign = VERB \n Content-Encoding \n Content-Language \n Content-Length \n Content-MD5 \n
 *                  Content-Type \n Date \n If-Modified-Since \n If-Match \n If-None-Match \n
 *                  If-Unmodified-Since \n Range \n CanonicalizedHeaders CanonicalizedResource
 *   Authorization = "SharedKey <account>:" + base64(HMAC-SHA256(base64decode(accountKey), StringToSign))
 *
 * `CanonicalizedHeaders` are the `x-ms-*` headers, lowercase, sorted, one `name:value\n` each;
 * `CanonicalizedResource` is `/<account><encoded path>` plus `\n<name>:<values>` per query parameter.
 * Content-Length is empty when it is zero.
 */
import { createHmac } from 'node:crypto';
import { type FetchLike, type PutResult, readErrorCode, requestFailure } from './http.js';

/** The Blob service version the requests speak. */
export const AZURE_STORAGE_VERSION = '2021-08-06';

/** An Azure target with its secret in clear. */
export interface AzureTarget {
  accountName: string;
  /** Base64 account key. */
  accountKey: string;
  container: string;
  /** A custom domain mapped to the account; default `<accountName>.blob.core.windows.net`. */
  domain?: string;
}

/** What an upload needs besides the target. */
export interface AzurePutOptions {
  blobName: string;
  body: Uint8Array;
  contentType: string;
  fetch?: FetchLike;
  now?: () => number;
  timeoutMs?: number;
  /**
   * The Blob endpoint (scheme and host) for a target. Default `https://<domain>` or
   * `https://<accountName>.blob.core.windows.net`. Tests point it at a local server.
   */
  endpointFor?: (target: AzureTarget) => string;
}

/** The headers of a request that Shared Key signs (lowercase names). */
export interface SharedKeyRequest {
  method: string;
  url: URL;
  headers: Readonly<Record<string, string>>;
}

const STANDARD_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const;

/** The Shared Key string to sign of a request to `accountName`. */
export function sharedKeyStringToSign(request: SharedKeyRequest, accountName: string): string {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const standard = STANDARD_HEADERS.map((name) => {
    const value = headers[name] ?? '';
    return name === 'content-length' && value === '0' ? '' : value;
  });
  const canonicalHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${(headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const query = [...new Set([...request.url.searchParams.keys()].map((k) => k.toLowerCase()))]
    .sort()
    .map((name) => {
      const values = request.url.searchParams.getAll(name).sort();
      return `\n${name}:${values.join(',')}`;
    })
    .join('');
  const resource = `/${accountName}${request.url.pathname}${query}`;
  return [request.method.toUpperCase(), ...standard, `${canonicalHeaders}${resource}`].join('\n');
}

/** The `Authorization` header value for `request`. */
export function sharedKeyAuthorization(
  request: SharedKeyRequest,
  accountName: string,
  accountKey: string,
): string {
  const signature = createHmac('sha256', Buffer.from(accountKey, 'base64'))
    .update(sharedKeyStringToSign(request, accountName), 'utf8')
    .digest('base64');
  return `SharedKey ${accountName}:${signature}`;
}

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** The URL of `blobName` in the target's container. */
export function blobUrl(target: AzureTarget, blobName: string, endpoint: string): URL {
  return new URL(
    `${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(target.container)}/${encodePath(blobName)}`,
  );
}

/** The default Blob endpoint of a target. */
export function defaultAzureEndpoint(target: AzureTarget): string {
  return `https://${target.domain ?? `${target.accountName}.blob.core.windows.net`}`;
}

/** Writes one block blob. Never throws for a refusal or a network failure: it reports them. */
export async function azurePutBlob(target: AzureTarget, options: AzurePutOptions): Promise<PutResult> {
  const url = blobUrl(target, options.blobName, (options.endpointFor ?? defaultAzureEndpoint)(target));
  const headers: Record<string, string> = {
    'content-length': String(options.body.length),
    'content-type': options.contentType,
    'x-ms-blob-type': 'BlockBlob',
    'x-ms-date': new Date((options.now ?? Date.now)()).toUTCString(),
    'x-ms-version': AZURE_STORAGE_VERSION,
  };
  headers.authorization = sharedKeyAuthorization(
    { method: 'PUT', url, headers },
    target.accountName,
    target.accountKey,
  );
  // fetch sets Content-Length itself (to the same value); it is signed above but not sent twice.
  const { 'content-length': _signedOnly, ...sent } = headers;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'PUT',
      headers: sent,
      body: options.body,
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
  return { ok: false, status: response.status, reason: await readErrorCode(response, 'x-ms-error-code') };
}
