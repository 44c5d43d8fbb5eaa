/**
 * REST benchmark: autocannon against `POST /session/create` and an authenticated `GET` list endpoint
 * (`GET /v2/project/{projectId}/callback`) of the reference server, and against a bare `node:http` server
 * answering canned JSON, side by side in one run.
 *
 * Goal (issue 4): the reference server serves at least 50 % of the bare server's requests/s on one core,
 * with p99 latency under 20 ms at that load. So each server runs in a child process pinned to one core
 * (`taskset`), and the load generator (this process) to another; every endpoint is measured twice: flat
 * out (requests/s), then at a fixed rate of half the bare server's requests/s (latency at that load).
 *
 * Writes `bench/results.md` and `bench/results.json` (or `$BENCH_OUT`.md/.json).
 *
 * Usage: pnpm --filter @parley/reference-server bench
 * Environment: BENCH_DURATION (seconds per run, default 10), BENCH_WARMUP (unmeasured seconds per
 * endpoint before its runs, so the JIT has compiled the hot paths; default 3), BENCH_CONNECTIONS (default 10),
 * BENCH_STORE (`sqlite`, default, or `memory`), BENCH_DURABILITY (`normal`, default, or `full`),
 * BENCH_LOG (`info`, default, or `silent`), BENCH_SERVER_CPU / BENCH_LOAD_CPU (default 1 / 0),
 * BENCH_CPU_PROF (a directory: the reference server writes a V8 CPU profile there).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ServerReady } from './servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP ?? 3);
const store = process.env.BENCH_STORE === 'memory' ? 'memory' : 'sqlite';
const durability = process.env.BENCH_DURABILITY === 'full' ? 'full' : 'normal';
const logging = process.env.BENCH_LOG === 'silent' ? 'silent' : 'info';
const serverCpu = process.env.BENCH_SERVER_CPU ?? '1';
const loadCpu = process.env.BENCH_LOAD_CPU ?? '0';
const cpuProfileDir = process.env.BENCH_CPU_PROF;
const outBase = process.env.BENCH_OUT ?? join(here, 'results');

/** The goal: this share of the bare server's requests/s, at this p99. */
const GOAL_SHARE = 0.5;
const GOAL_P99_MS = 20;

/** True when the server and the load generator can be kept on separate cores. */
const pinned = cpus().length >= 2 && hasTaskset();

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Started {
  ready: ServerReady;
  child: ChildProcess;
}

/** Starts `bench/servers.ts <kind>` in a child process, pinned to the server core when possible. */
async function startServer(kind: 'parley' | 'bare' | 'fastify'): Promise<Started> {
  const node = [
    ...(kind === 'parley' && cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : []),
    '--import',
    'tsx',
    join(here, 'servers.ts'),
    kind,
  ];
  const [command, args] = pinned
    ? ['taskset', ['-c', serverCpu, process.execPath, ...node]]
    : [process.execPath, node];
  const child = spawn(command as string, args as string[], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_STORE: store, BENCH_DURABILITY: durability, BENCH_LOG: logging },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    lines.close();
    return { ready: JSON.parse(line) as ServerReady, child };
  }
  throw new Error(`The ${kind} benchmark server exited before it was ready`);
}

async function stopServer({ child }: Started): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** One autocannon run. */
interface Run {
  server: 'bare' | 'fastify' | 'parley';
  endpoint: string;
  /** The fixed request rate, or null for flat out. */
  rate: number | null;
  requestsPerSecond: number;
  /** Server CPU time (user + system) per response, in microseconds: the cost independent of machine load. */
  serverCpuMicrosPerRequest: number;
  latencyMs: { p50: number; p97_5: number; p99: number; max: number };
  requests: number;
}

async function serverCpuMicros(started: Started): Promise<number> {
  const response = await fetch(started.ready.cpuUrl);
  const { userMicros, systemMicros } = (await response.json()) as {
    userMicros: number;
    systemMicros: number;
  };
  return userMicros + systemMicros;
}

/** Sends unmeasured load, so the measured runs see JIT-compiled code and warm caches. */
async function warmUp(options: autocannon.Options): Promise<void> {
  if (warmup > 0) await autocannon({ connections, duration: warmup, ...options });
}

async function measure(
  started: Started,
  server: Run['server'],
  endpoint: string,
  options: autocannon.Options,
  rate: number | null,
): Promise<Run> {
  process.stdout.write(`${server} ${endpoint} ${rate ? `at ${rate} req/s` : 'flat out'} …\n`);
  const cpuBefore = await serverCpuMicros(started);
  const result = await autocannon({
    connections,
    duration,
    ...options,
    ...(rate ? { overallRate: rate } : {}),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${server} ${endpoint}: ${result.non2xx} non-2xx responses and ${result.errors} errors`);
  }
  const cpu = (await serverCpuMicros(started)) - cpuBefore;
  const { latency } = result;
  return {
    server,
    endpoint,
    rate,
    requestsPerSecond: result.requests.average,
    serverCpuMicrosPerRequest: result.requests.total > 0 ? cpu / result.requests.total : 0,
    latencyMs: { p50: latency.p50, p97_5: latency.p97_5, p99: latency.p99, max: latency.max },
    requests: result.requests.total,
  };
}

/**
 * X-OPENTOK-AUTH tokens as the opentok SDK mints them, one per request (`generateJwt.js`: `iss`, `ist`,
 * `iat` and `exp` in whole seconds, HS256 — so the same text for every request of one second).
 */
function opentokSdkTokens(project: { apiKey: string; apiSecret: string }): () => string {
  const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return () => {
    const iat = Math.floor(Date.now() / 1000);
    const input = `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment({ iss: project.apiKey, ist: 'project', iat, exp: iat + 180 })}`;
    return `${input}.${createHmac('sha256', project.apiSecret).update(input).digest('base64url')}`;
  };
}

/** `options` with a token minted by `mint` in each request's headers. */
function withFreshToken(mint: () => string, options: autocannon.Options): autocannon.Options {
  const headers = options.headers ?? {};
  const setHeaders = (client: autocannon.Client): void => {
    client.setHeaders({ ...headers, 'x-opentok-auth': mint() });
  };
  return {
    ...options,
    headers: { ...headers, 'x-opentok-auth': mint() },
    setupClient: (client) => {
      setHeaders(client);
      client.on('response', () => setHeaders(client));
    },
  };
}

// Keep the load generator (and its threads) off the server core.
if (pinned) execFileSync('taskset', ['-a', '-cp', loadCpu, String(process.pid)], { stdio: 'ignore' });

const SESSION_CREATE = 'POST /session/create';
const CALLBACK_LIST = 'GET /v2/project/{projectId}/callback';
const runs: Run[] = [];

const bare = await startServer('bare');
let bareRps: number;
try {
  const target = { url: `${bare.ready.url}/session/create`, method: 'POST' as const };
  await warmUp(target);
  const flatOut = await measure(bare, 'bare', SESSION_CREATE, target, null);
  runs.push(flatOut);
  bareRps = flatOut.requestsPerSecond;
  runs.push(await measure(bare, 'bare', SESSION_CREATE, target, Math.round(bareRps * GOAL_SHARE)));
} finally {
  await stopServer(bare);
}
const goalRate = Math.round(bareRps * GOAL_SHARE);

// The framework's floor: a bare Fastify route answering the same canned JSON.
const fastify = await startServer('fastify');
try {
  const target = { url: `${fastify.ready.url}/session/create`, method: 'POST' as const };
  await warmUp(target);
  runs.push(await measure(fastify, 'fastify', SESSION_CREATE, target, null));
} finally {
  await stopServer(fastify);
}

const parley = await startServer('parley');
try {
  const project = parley.ready.project;
  if (!project) throw new Error('The reference server did not report its project');
  // Every request carries an X-OPENTOK-AUTH JWT minted for it the way the opentok SDK mints one
  // (`iss`, `ist`, `iat`, `exp` in whole seconds, HS256): requests within one second carry the same token.
  const mint = opentokSdkTokens(project);
  const targets: [string, autocannon.Options][] = [
    [
      SESSION_CREATE,
      withFreshToken(mint, {
        url: `${parley.ready.url}/session/create`,
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'p2p.preference=disabled&archiveMode=manual',
      }),
    ],
    [
      CALLBACK_LIST,
      withFreshToken(mint, {
        url: `${parley.ready.url}/v2/project/${project.apiKey}/callback`,
        method: 'GET',
        headers: { accept: 'application/json' },
      }),
    ],
  ];
  for (const [, options] of targets) await warmUp(options);
  for (const [endpoint, options] of targets) {
    runs.push(await measure(parley, 'parley', endpoint, options, null));
    runs.push(await measure(parley, 'parley', endpoint, options, goalRate));
  }
} finally {
  await stopServer(parley);
}

/** Whether an endpoint of the reference server meets the goal. */
interface Verdict {
  endpoint: string;
  share: number;
  p99AtGoalRate: number;
  met: boolean;
}
const verdicts: Verdict[] = [SESSION_CREATE, CALLBACK_LIST].map((endpoint) => {
  const flatOut = runs.find((r) => r.server === 'parley' && r.endpoint === endpoint && r.rate === null);
  const atRate = runs.find((r) => r.server === 'parley' && r.endpoint === endpoint && r.rate !== null);
  const share = (flatOut?.requestsPerSecond ?? 0) / bareRps;
  const p99AtGoalRate = atRate?.latencyMs.p99 ?? Number.POSITIVE_INFINITY;
  return { endpoint, share, p99AtGoalRate, met: share >= GOAL_SHARE && p99AtGoalRate < GOAL_P99_MS };
});

const environment = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
  loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100),
  pinning: pinned ? { serverCpu, loadGeneratorCpu: loadCpu } : null,
  connections,
  durationSeconds: duration,
  warmupSeconds: warmup,
  store,
  durability,
  logging,
};
await writeFile(`${outBase}.json`, `${JSON.stringify({ environment, runs, verdicts }, null, 2)}\n`);

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const table = [
  '| Server | Endpoint | Load | Requests/s | Server CPU/request (µs) | p50 (ms) | p97.5 (ms) | p99 (ms) | max (ms) | Requests |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...runs.map(
    (r) =>
      `| ${r.server} | \`${r.endpoint}\` | ${r.rate ? `fixed ${fmt(r.rate)}/s` : 'flat out'} | ${fmt(r.requestsPerSecond)} | ${fmt(r.serverCpuMicrosPerRequest)} | ${fmt(r.latencyMs.p50)} | ${fmt(r.latencyMs.p97_5)} | ${fmt(r.latencyMs.p99)} | ${fmt(r.latencyMs.max)} | ${fmt(r.requests)} |`,
  ),
].join('\n');
const goals = verdicts
  .map(
    (v) =>
      `- \`${v.endpoint}\`: ${fmt(v.share * 100)} % of the bare server's requests/s, p99 ${fmt(v.p99AtGoalRate)} ms at ${fmt(goalRate)} req/s — ${v.met ? 'goal met' : '**goal not met**'}`,
  )
  .join('\n');
const busy = (environment.loadAverageAtEnd[0] ?? 0) > cpus().length;
const busyNote = busy
  ? `\n**The machine was busy** (load average ${environment.loadAverageAtEnd[0]} on ${cpus().length} CPUs while this ran):
pinning cannot keep other processes off the two cores, so requests/s and latencies understate both servers
and their ratio is unreliable; the CPU time per request is the steadier comparison. Re-run on an idle machine
to judge the goal.\n`
  : '';
const report = `# Reference server REST benchmark

Generated by \`pnpm --filter @parley/reference-server bench\` on ${environment.date}.
Node ${environment.node}, ${environment.cpus}; load average at the end ${environment.loadAverageAtEnd.join(' / ')}.
${
  pinned
    ? `Each server ran alone in a child process pinned to CPU ${serverCpu}; autocannon ran pinned to CPU ${loadCpu}.`
    : 'Not pinned to cores (taskset missing or a single CPU): server and load generator shared the CPUs.'
}
autocannon with ${connections} connections, ${duration} s per run after ${warmup} s of warm-up per endpoint. Reference server: ${store} store${
  store === 'sqlite' ? ` (durability \`${durability}\`)` : ''
}, pino logging ${logging === 'info' ? 'at info (one line per request, to a file through an asynchronous destination)' : 'off'}, rate limiting off.

${table}
${busyNote}
Goal: at least ${GOAL_SHARE * 100} % of the bare server's requests/s on one core, p99 under ${GOAL_P99_MS} ms at that
load (${fmt(goalRate)} req/s, half the bare server's flat-out rate in this run).

${goals}

Every request to the reference server is authenticated (HS256 \`X-OPENTOK-AUTH\`, minted for each request
as the \`opentok\` SDK mints it: the same token for every request of one second), validated against the
spec, counted in the metrics and logged; \`POST /session/create\` also writes the session to the store. The
bare server reads the body and answers canned JSON of the same shape; the \`fastify\` row is a bare Fastify
route answering the same JSON (the framework's own floor).
`;
await writeFile(`${outBase}.md`, report);
process.stdout.write(`\n${table}\n\n${goals}\n\nWritten to ${outBase}.md and ${outBase}.json\n`);
