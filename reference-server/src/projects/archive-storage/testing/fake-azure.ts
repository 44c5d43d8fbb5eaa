/**
 * Test support (not a test file): a small Azure Blob Storage server on 127.0.0.1 that checks `PUT Blob`
 * requests the way Azure does, with Shared Key authorisation rebuilt here from the request as received
 * (an independent reading of "Authorize with Shared Key"; nothing is shared with `azure.ts`). Blob URLs
 * are `<endpoint>/<container>/<blob>`; the account comes from the `Authorization` header.
 *
 * Errors are Azure's, in the body and in `x-ms-error-code`: `AuthenticationFailed` (403),
 * `InvalidHeaderValue` / `MissingRequiredHeader` (400), `ContainerNotFound` (404).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredObject } from './fake-s3.js';

/** A running fake Blob service. */
export interface FakeAzure {
  /** `http://127.0.0.1:<port>`: what `endpointFor` should return. */
  endpoint: string;
  /** Blobs by `<account>/<container>/<blob>`. */
  blobs: Map<string, StoredObject>;
  outcomes: string[];
  close(): Promise<void>;
}

/** What the fake knows. */
export interface FakeAzureOptions {
  /** Base64 account keys by account name. */
  accounts: Record<string, string>;
  /** Containers as `<account>/<container>`. */
  containers: string[];
  now?: () => number;
}

const SIGNED_STANDARD = [
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
];

/** Starts the fake. */
export async function startFakeAzure(options: FakeAzureOptions): Promise<FakeAzure> {
  const now = options.now ?? Date.now;
  const blobs = new Map<string, StoredObject>();
  const outcomes: string[] = [];

  const fail = (response: ServerResponse, status: number, code: string): undefined => {
    outcomes.push(code);
    response.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code });
    response.end(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
    );
  };

  const handle = (request: IncomingMessage, body: Buffer, response: ServerResponse): undefined => {
    const header = (name: string): string => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(',') : (value ?? '');
    };
    if (request.method !== 'PUT') return fail(response, 405, 'UnsupportedHttpVerb');
    for (const required of ['x-ms-date', 'x-ms-version', 'x-ms-blob-type']) {
      if (header(required) === '') return fail(response, 400, 'MissingRequiredHeader');
    }
    if (header('x-ms-blob-type') !== 'BlockBlob') return fail(response, 400, 'InvalidHeaderValue');
    if (Number(header('content-length')) !== body.length) return fail(response, 400, 'InvalidHeaderValue');
    const auth = /^SharedKey ([a-z0-9]+):([A-Za-z0-9+/=]+)$/.exec(header('authorization'));
    const account = auth?.[1] ?? '';
    const key = options.accounts[account];
    if (!auth || key === undefined) return fail(response, 403, 'AuthenticationFailed');
    if (!(Math.abs(now() - Date.parse(header('x-ms-date'))) <= 15 * 60_000)) {
      return fail(response, 403, 'AuthenticationFailed');
    }
    const [path = '/', query = ''] = (request.url ?? '/').split('?');
    const standard = SIGNED_STANDARD.map((name) => {
      const value = header(name);
      return name === 'content-length' && value === '0' ? '' : value;
    });
    const msHeaders = Object.keys(request.headers)
      .filter((name) => name.startsWith('x-ms-'))
      .sort()
      .map((name) => `${name}:${header(name).trim()}\n`)
      .join('');
    const params = new URLSearchParams(query);
    const queryPart = [...new Set([...params.keys()])]
      .sort()
      .map((name) => `\n${name.toLowerCase()}:${params.getAll(name).sort().join(',')}`)
      .join('');
    const stringToSign = `PUT\n${standard.join('\n')}\n${msHeaders}/${account}${path}${queryPart}`;
    const expected = createHmac('sha256', Buffer.from(key, 'base64'))
      .update(stringToSign, 'utf8')
      .digest('base64');
    if (expected !== auth[2]) return fail(response, 403, 'AuthenticationFailed');
    const [container = '', ...blobPath] = path.slice(1).split('/');
    if (!options.containers.includes(`${account}/${decodeURIComponent(container)}`)) {
      return fail(response, 404, 'ContainerNotFound');
    }
    blobs.set(`${account}/${decodeURIComponent(container)}/${blobPath.map(decodeURIComponent).join('/')}`, {
      body,
      headers: request.headers,
    });
    outcomes.push('201');
    response.writeHead(201);
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
    blobs,
    outcomes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
