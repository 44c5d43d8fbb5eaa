import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenTok from 'opentok';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type ServerConfig } from './config.js';
import type { CredentialsFile } from './projects/credentials-file.js';
import { type RunningServer, startServer } from './server.js';
import { header, type SipRequest } from './services/sip/message.js';
import { makeTestCertificate, startBusyTlsUas } from './services/sip/testing/busy-tls-uas.js';
import { WorkerPoolEngine } from './sfu/workers/pool-engine.js';
import { opentokJwt } from './testing/harness.js';

describe('startServer', () => {
  let dataDir: string;
  let running: RunningServer | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-server-'));
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const config = (extra: string[] = []): ServerConfig =>
    loadConfig({
      argv: ['--port', '0', '--data-dir', dataDir, '--log-level', 'silent', ...extra],
      env: {},
      cwd: dataDir,
    });
  const start = async (extra: string[] = []): Promise<{ server: RunningServer; output: string }> => {
    let output = '';
    const server = await startServer(config(extra), {
      out: { write: (t: string) => (output += t) },
      logger: pino({ level: 'silent' }),
    });
    running = server;
    return { server, output };
  };

  it('creates the default project on first start, writes credentials.json (0600) and prints them', async () => {
    const { server, output } = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.created).not.toBeNull();
    const file = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    expect(file).toMatchObject({ apiUrl: server.url, applicationId: server.created?.applicationId });
    expect(file.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(file.accountKey).toBe(server.account.apiKey);
    for (const name of ['credentials.json', 'account.json', 'parley.db']) {
      expect((await stat(join(dataDir, name))).mode & 0o777).toBe(0o600);
    }
    expect(output).toContain(`listening on ${server.url}`);
    expect(output).toContain(file.apiSecret);
    expect(output).toContain('-----BEGIN PRIVATE KEY-----');

    const res = await fetch(`${server.url}/session/create`, {
      method: 'POST',
      headers: { 'x-opentok-auth': await opentokJwt({ apiKey: file.apiKey, apiSecret: file.apiSecret }) },
    });
    expect(res.status).toBe(200);
  });

  it('logs which SFU datapath forwards packets (native when built, JavaScript when asked)', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    running = await startServer(config(), { out: { write: () => true }, logger });
    expect(lines.map((line) => JSON.parse(line).msg)).toContain('SFU datapath: native');
    await running.close();
    running = await startServer(config(['--sfu-datapath', 'javascript']), {
      out: { write: () => true },
      logger,
    });
    expect(lines.map((line) => JSON.parse(line).msg)).toContain(
      'SFU datapath: JavaScript (--sfu-datapath javascript)',
    );
  });

  it('keeps projects and sessions across a restart and does not create another project', async () => {
    const first = await start();
    const file = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    const res = await fetch(`${first.server.url}/session/create`, {
      method: 'POST',
      headers: {
        'x-opentok-auth': await opentokJwt({ apiKey: file.apiKey, apiSecret: file.apiSecret }),
        accept: 'application/json',
      },
    });
    const [{ session_id: sessionId }] = (await res.json()) as [{ session_id: string }];
    await first.server.close();
    running = undefined;

    const second = await start();
    expect(second.server.created).toBeNull();
    expect(second.output).not.toContain('PRIVATE KEY');
    expect(second.output).toContain(file.applicationId);
    expect(second.server.account).toEqual(first.server.account);
    expect(await second.server.store.projects.list()).toHaveLength(1);
    expect(await second.server.store.sessions.get(sessionId)).toMatchObject({
      applicationId: file.applicationId,
    });
    const updated = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    expect(updated).toEqual({ ...file, apiUrl: second.server.url });
  });

  it('runs routed media in SFU worker processes with --sfu-workers, and stops them on close', {
    timeout: 30_000,
  }, async () => {
    const { server } = await start(['--sfu-workers', '1']);
    expect(server.sfu).toBeInstanceOf(WorkerPoolEngine);
    const pool = server.sfu as WorkerPoolEngine;
    expect(pool.workers).toHaveLength(1);
    const pid = pool.workers[0]?.pid ?? 0;
    expect(pid).not.toBe(process.pid);
    // The worker answers: a router lives in it (the realtime layer creates one per routed session).
    const router = await pool.createRouter({ sessionId: 'server-test-session' });
    router.close();
    await server.close();
    expect(pool.closed).toBe(true);
    await expect.poll(() => isAlive(pid), { timeout: 5000 }).toBe(false);
  });

  it('hands the configured TURN servers to clients in session info', async () => {
    const { server } = await start(['--turn-servers', 'turn:alice:s%40cret@turn.example.com:3478']);
    const file = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    const created = await fetch(`${server.url}/session/create`, {
      method: 'POST',
      headers: {
        'x-opentok-auth': await opentokJwt({ apiKey: file.apiKey, apiSecret: file.apiSecret }),
        accept: 'application/json',
      },
    });
    const [{ session_id: sessionId }] = (await created.json()) as [{ session_id: string }];
    const token = new OpenTok(file.apiKey, file.apiSecret).generateToken(sessionId);
    const info = await fetch(`${server.url}/session/${sessionId}`, { headers: { 'x-opentok-auth': token } });
    const [body] = (await info.json()) as [{ ice_servers: unknown }];
    expect(body.ice_servers).toEqual([
      { urls: 'turn:turn.example.com:3478', username: 'alice', credential: 's@cret' },
    ]);
  });

  it('places SIP calls with --sip-address advertised and --sip-tls-ca trusted', {
    timeout: 20_000,
  }, async () => {
    // Only the CA file vouches for the SIP server's certificate: an INVITE arriving shows it was trusted.
    const sipServer = await startBusyTlsUas(makeTestCertificate(dataDir, 'sip-ca'));
    try {
      const { server } = await start(['--sip-address', '192.0.2.10', '--sip-tls-ca', 'sip-ca.pem']);
      const file = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
      const auth = { 'x-opentok-auth': await opentokJwt({ apiKey: file.apiKey, apiSecret: file.apiSecret }) };
      const created = await fetch(`${server.url}/session/create`, {
        method: 'POST',
        headers: { ...auth, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'p2p.preference=disabled',
      });
      const [{ session_id: sessionId }] = (await created.json()) as [{ session_id: string }];
      const dial = await fetch(`${server.url}/v2/project/${file.apiKey}/dial`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          sessionId,
          token: new OpenTok(file.apiKey, file.apiSecret).generateToken(sessionId, { role: 'publisher' }),
          sip: { uri: sipServer.uri() },
        }),
      });
      expect(dial.status).toBe(200);
      await expect.poll(() => sipServer.invites.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const [invite] = sipServer.invites as [SipRequest];
      expect(header(invite, 'via')).toMatch(/^SIP\/2\.0\/TLS 192\.0\.2\.10[:;]/);
      expect(header(invite, 'contact')).toContain('@192.0.2.10');
      expect(invite.body.toString()).toContain('c=IN IP4 192.0.2.10');
    } finally {
      await running?.close();
      running = undefined;
      await sipServer.close();
    }
  });

  it('leaves nothing behind when it cannot start (no exit listener of its log destination)', async () => {
    const exitListeners = process.listenerCount('exit');
    // The data directory would have to be created inside a file.
    const blocked = join(dataDir, 'credentials.json', 'data');
    await writeFile(join(dataDir, 'credentials.json'), '{}');
    const failing = loadConfig({ argv: ['--port', '0', '--data-dir', blocked], env: {}, cwd: dataDir });
    await expect(startServer(failing, { out: { write: () => true } })).rejects.toThrow();
    expect(process.listenerCount('exit')).toBe(exitListeners);
  });

  it('closes: marks the app draining, stops listening and closes the store', async () => {
    const { server } = await start();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    await server.close();
    running = undefined;
    expect(server.app.parley.lifecycle.phase).toBe('draining');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await expect(server.store.projects.list()).rejects.toThrow();
    // Closing twice is harmless.
    await server.close();
  });
});

/**
 * Graceful shutdown of a real `parley start` process on SIGTERM, with a slow client whose request is in
 * flight: the server stops accepting connections, lets that request finish, then exits 0 — and when a
 * request outlives `--shutdown-timeout`, its connection is cut and the process still exits 0.
 */
describe('SIGTERM drain', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-drain-'));
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts `parley start` and follows its output (banner and pino lines). */
  async function startChild(shutdownTimeoutMs: number) {
    const proc = spawn(
      process.execPath,
      [
        join(here, '..', 'bin', 'parley.mjs'),
        'start',
        // debug: the "incoming request" line, which shows the server has a request, is a debug line.
        ...['--port', '0', '--data-dir', dataDir, '--log-level', 'debug'],
        ...['--shutdown-timeout', String(shutdownTimeoutMs)],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let output = '';
    const waiters: { pattern: RegExp; resolve: (match: RegExpExecArray) => void }[] = [];
    const check = () => {
      for (const waiter of [...waiters]) {
        const match = waiter.pattern.exec(output);
        if (match) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    };
    const append = (chunk: Buffer) => {
      output += chunk.toString();
      check();
    };
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    /** Resolves once the output matches `pattern` (rejects if the process exits first). */
    const waitFor = (pattern: RegExp) =>
      Promise.race([
        new Promise<RegExpExecArray>((resolve) => {
          waiters.push({ pattern, resolve });
          check();
        }),
        exited.then((code) => {
          throw new Error(`parley start exited (${code}) before printing ${pattern}:\n${output}`);
        }),
      ]);
    const [, url = ''] = await waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const credentials = JSON.parse(
      await readFile(join(dataDir, 'credentials.json'), 'utf8'),
    ) as CredentialsFile;
    return { proc, url, credentials, exited, waitFor };
  }

  /** Sends the headers and the first half of a `POST /session/create` body over a raw socket. */
  async function startSlowRequest(url: string, credentials: CredentialsFile, requestId: string) {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const body = 'archiveMode=manual&p2p.preference=disabled';
    const token = await opentokJwt({ apiKey: credentials.apiKey, apiSecret: credentials.apiSecret });
    socket.write(
      `POST /session/create HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-opentok-auth: ${token}\r\n` +
        `x-request-id: ${requestId}\r\naccept: application/json\r\n` +
        `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n` +
        body.slice(0, 10),
    );
    let response = '';
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString();
    });
    const ended = new Promise<string>((resolve) => socket.on('close', () => resolve(response)));
    return { finish: () => socket.write(body.slice(10)), ended };
  }

  it('lets a request in flight finish, refuses new connections, then exits 0', async () => {
    const { proc, url, credentials, exited, waitFor } = await startChild(30_000);
    const slow = await startSlowRequest(url, credentials, 'slow-drain-1');
    // The server has the request (Fastify logs it when the headers are in), not its whole body yet.
    await waitFor(/"reqId":"slow-drain-1"[^\n]*"msg":"incoming request"/);

    proc.kill('SIGTERM');
    await waitFor(/"msg":"shutting down/);
    // No new connections while draining.
    await expect
      .poll(() =>
        fetch(`${url}/healthz`).then(
          () => 'accepted',
          () => 'refused',
        ),
      )
      .toBe('refused');
    expect(proc.exitCode).toBeNull();

    slow.finish();
    const response = await slow.ended;
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toContain('"session_id":"2_');
    // The connection is not kept alive, so it cannot hold the drain up until the timeout.
    expect(response.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(await exited).toBe(0);
  }, 60_000);

  it('cuts a request that outlives --shutdown-timeout and still exits 0', async () => {
    const { proc, url, credentials, exited, waitFor } = await startChild(200);
    const stuck = await startSlowRequest(url, credentials, 'stuck-drain-1');
    await waitFor(/"reqId":"stuck-drain-1"[^\n]*"msg":"incoming request"/);
    proc.kill('SIGTERM');
    // The body never completes: the connection is closed without a response once the bound is reached.
    expect(await stuck.ended).toBe('');
    expect(await exited).toBe(0);
    await waitFor(/"msg":"drain timed out; closing open connections"/);
  }, 60_000);
});

/** True while a process with this PID exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
