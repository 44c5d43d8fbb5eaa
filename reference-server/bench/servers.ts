/**
 * The servers the REST benchmark measures, each run in a child process of its own so that it can be pinned
 * to a CPU core apart from the load generator (`rest.bench.ts` starts them with `taskset`).
 *
 * `tsx bench/servers.ts parley` starts the reference server (store, durability and logging from the
 * environment, see {@link parleyServer}) with one project; `tsx bench/servers.ts bare` starts a bare
 * `node:http` server answering canned JSON; `tsx bench/servers.ts fastify` a bare Fastify route answering the
 * same JSON. Either prints one JSON line, {@link ServerReady}, on stdout
 * once it listens, and exits on SIGTERM.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { TurnBatchedDestination } from '../src/logging/turn-batched-destination.js';
import { createProject } from '../src/projects/projects.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openSqliteStore, type SqliteDurability } from '../src/store/sqlite-store.js';

/** What a started benchmark server reports on stdout. */
export interface ServerReady {
  url: string;
  pid: number;
  /**
   * `GET` answers the process's CPU time so far, `{"userMicros", "systemMicros"}`, from a separate
   * listener so that the measured server's routes stay untouched.
   */
  cpuUrl: string;
  /** The benchmark project of the reference server (absent for the bare server). */
  project?: { apiKey: string; apiSecret: string; applicationId: string };
}

/** The account of the benchmark server. */
export const BENCH_ACCOUNT = { apiKey: '1000000001', apiSecret: 'a'.repeat(40) };

/** The canned response of the bare server: the shape of a `POST /session/create` answer. */
const CANNED = JSON.stringify([
  {
    session_id: '2_MX4xMjM0NTY3OH5-MTcwMDAwMDAwMDAwMH5hYmNkZWZnaGlqa2xtbm9wfn4',
    project_id: '12345678',
    partner_id: '12345678',
    application_id: '00000000-0000-4000-8000-000000000000',
    create_dt: 'Thu Nov 23 22:53:14 UTC 2026',
    media_server_url: '',
  },
]);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function bareServer(): Promise<{ ready: Omit<ServerReady, 'cpuUrl'>; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(CANNED);
    });
  });
  const url = await listen(server);
  return {
    ready: { url, pid: process.pid },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A bare Fastify route answering the same canned JSON on any path (no hooks, logging off; form bodies read
 * as a string): the framework's own floor,
 * against which the reference server's own work per request is measured.
 */
async function fastifyServer(): Promise<{ ready: Omit<ServerReady, 'cpuUrl'>; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  // Every path and method, like the bare server: the benchmark sends each endpoint's request here too.
  app.all('/*', (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(CANNED);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as AddressInfo;
  return {
    ready: { url: `http://127.0.0.1:${address.port}`, pid: process.pid },
    close: () => app.close(),
  };
}

/**
 * The reference server as `parley start` runs it, configured by `BENCH_STORE` (`sqlite`, default, or
 * `memory`), `BENCH_DURABILITY` (`normal`, default, or `full`) and `BENCH_LOG` (`info`, default: one pino
 * line per request through the server's own destination, its sink a file instead of standard output; or
 * `silent`).
 */
async function parleyServer(): Promise<{ ready: Omit<ServerReady, 'cpuUrl'>; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const durability: SqliteDurability = process.env.BENCH_DURABILITY === 'full' ? 'full' : 'normal';
  const store =
    process.env.BENCH_STORE === 'memory'
      ? createMemoryStore()
      : openSqliteStore(join(dir, 'parley.db'), { durability });
  const level = process.env.BENCH_LOG === 'silent' ? 'silent' : 'info';
  // The server's own destination (`src/server.ts`), with a file as its sink instead of standard output:
  // `process.stdout` writes a file synchronously too.
  const logFd = openSync(join(dir, 'server.log'), 'a');
  const destination = new TurnBatchedDestination({ write: (chunk: string) => writeSync(logFd, chunk) });
  const logger = pino({ level }, destination);
  const { project } = await createProject(store, { name: 'Bench', account: BENCH_ACCOUNT });
  const app = await buildApp({ store, account: BENCH_ACCOUNT, logger, rateLimit: null });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as AddressInfo;
  return {
    ready: {
      url: `http://127.0.0.1:${address.port}`,
      pid: process.pid,
      project: { apiKey: project.apiKey, apiSecret: project.apiSecret, applicationId: project.applicationId },
    },
    close: async () => {
      await app.close();
      await store.close();
      destination.close();
      closeSync(logFd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU time used by this process, for the load generator to compute CPU time per request. */
async function cpuListener(): Promise<string> {
  const server = createServer((_request, response) => {
    const { user, system } = process.cpuUsage();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ userMicros: user, systemMicros: system }));
  });
  server.unref();
  return `${await listen(server)}/cpu`;
}

const kind = process.argv[2];
if (kind !== 'parley' && kind !== 'bare' && kind !== 'fastify') {
  process.stderr.write('usage: tsx bench/servers.ts parley|bare|fastify\n');
  process.exit(2);
}
const started =
  kind === 'bare' ? await bareServer() : kind === 'fastify' ? await fastifyServer() : await parleyServer();
const ready: ServerReady = { ...started.ready, cpuUrl: await cpuListener() };
process.stdout.write(`${JSON.stringify(ready)}\n`);
const stop = (): void => {
  started.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
