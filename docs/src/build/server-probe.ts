/**
 * Asks a real reference server which operations it implements, so the docs say what the code does today
 * rather than what someone remembered to write down. The server is started through its public command
 * (`parley start`, memory store, a throw-away data directory, port 0), each operation is called once with
 * valid credentials, and an operation counts as not implemented when it answers `501` — the server's
 * documented answer for operations of the API it has no handler for yet.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir } from './paths.js';
import type { SpecOperation } from './spec.js';

/** What the probe learned about one operation. */
export interface OperationStatus {
  operationId: string;
  implemented: boolean;
  /** The status code the probe request got. */
  status: number;
}

/** The fields of `credentials.json` the probe uses. */
interface Credentials {
  apiUrl: string;
  applicationId: string;
  apiKey: string;
  apiSecret: string;
  accountKey: string;
  accountSecret: string;
}

/** The `parley` command of the reference server. */
export function parleyBin(): string {
  return join(packageDir('@parley/reference-server'), 'bin', 'parley.mjs');
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** An `X-OPENTOK-AUTH` REST JWT (HS256), as the `opentok` SDK sends it. */
export function opentokJwt(issuer: string, secret: string, ist: 'project' | 'account'): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ iss: issuer, ist, iat: now, exp: now + 300, jti: randomUUID() }));
  const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

async function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      reject(new Error(`parley start printed no URL within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`parley start exited with code ${code}:\n${output}`));
    });
  });
}

function requestFor(operation: SpecOperation, credentials: Credentials): { url: string; init: RequestInit } {
  // Project-management calls get an unknown project in the path, so a probe can never delete or re-key
  // the project the other probes authenticate with; every other ID is unknown too, so nothing changes.
  const account = operation.security.includes('accountJwt');
  const path = operation.path.replace(/\{([^}]+)\}/g, (_all, name: string) => {
    if (name === 'projectId' && !account) return credentials.applicationId;
    if (name === 'apiKey') return credentials.apiKey;
    return name === 'projectId' ? '00000000-0000-4000-8000-000000000000' : 'probe';
  });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (account) {
    headers['x-opentok-auth'] = opentokJwt(credentials.accountKey, credentials.accountSecret, 'account');
  } else if (operation.security.length > 0) {
    headers['x-opentok-auth'] = opentokJwt(credentials.apiKey, credentials.apiSecret, 'project');
  }
  const init: RequestInit = { method: operation.method.toUpperCase(), headers };
  if (['post', 'put', 'patch'].includes(operation.method)) {
    const form = operation.operationId === 'createSession';
    headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
    init.body = form ? 'p2p.preference=disabled' : '{}';
  }
  return { url: new URL(path, credentials.apiUrl).href, init };
}

/**
 * Starts a reference server, calls every operation once, stops the server.
 *
 * @throws when the server does not start, or when a probe request is refused for its credentials (which
 * would make the answer meaningless).
 */
export async function probeOperations(operations: readonly SpecOperation[]): Promise<OperationStatus[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-docs-probe-'));
  const child = spawn(
    process.execPath,
    [
      parleyBin(),
      'start',
      '--port',
      '0',
      '--store',
      'memory',
      '--data-dir',
      dataDir,
      '--log-level',
      'silent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARLEY_RATE_LIMIT: '0' } },
  );
  try {
    const apiUrl = await waitForUrl(child, 30_000);
    const stored = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as Credentials;
    const credentials = { ...stored, apiUrl };
    const statuses: OperationStatus[] = [];
    for (const operation of operations) {
      const { url, init } = requestFor(operation, credentials);
      const response = await fetch(url, init);
      const body = await response.text();
      if (response.status === 401 || response.status === 403) {
        throw new Error(`The probe of ${operation.operationId} was refused (${response.status} ${body})`);
      }
      statuses.push({
        operationId: operation.operationId,
        implemented: response.status !== 501,
        status: response.status,
      });
    }
    return statuses;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}
