/**
 * REST benchmark: autocannon against `POST /session/create` and an authenticated `GET` list endpoint
 * (`GET /v2/project/{projectId}/callback`) of the reference server, and against a bare `node:http` server
 * answering canned JSON, side by side in one run.
 *
 * Goal (issue 4): the reference server serves at least 50 % of the bare server's requests/s on one core,
 * with p99 latency under 20 ms at that load. So each server runs in a child process pinned to one core
 * (`taskset`), and the load generator (this process) to another. Every server receives exactly the same
 * request for an endpoint (headers, freshly minted token, form body: `rest-requests.ts`). The servers run
 * side by side and are measured flat out in interleaved rounds (bare, Fastify, reference server, then
 * again), so that the drift of a shared machine falls on all of them alike; the share is the median of
 * the rounds' ratios. Then each endpoint of the reference server runs at a fixed rate of half the bare
 * server's median requests/s for its latency at that load.
 *
 * Writes `bench/results.md` and `bench/results.json` (or `$BENCH_OUT`.md/.json).
 *
 * Usage: pnpm --filter @parley/reference-server bench
 * Environment: BENCH_DURATION (seconds per flat-out round, default 5; the fixed-rate run takes twice that),
 * BENCH_ROUNDS (default 5), BENCH_WARMUP (unmeasured seconds per server and endpoint before the rounds, so
 * the JIT has compiled the hot paths; default 10), BENCH_CONNECTIONS (default 10),
 * BENCH_STORE (`sqlite`, default, or `memory`), BENCH_DURABILITY (`normal`, default, or `full`),
 * BENCH_LOG (`info`, default, or `silent`), BENCH_SERVER_CPU / BENCH_LOAD_CPU (default 1 / 0),
 * BENCH_CPU_PROF (a directory: the reference server writes a V8 CPU profile there).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type BenchProject, ENDPOINTS, type Endpoint, requestOptions } from './rest-requests.js';
import type { ServerReady } from './servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP ?? 10);
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

type ServerKind = 'bare' | 'fastify' | 'parley';

/** One autocannon run. */
interface Run {
  server: ServerKind;
  endpoint: Endpoint;
  /** The fixed request rate, or null for flat out. */
  rate: number | null;
  /** The flat-out round this run belongs to (1-based), or null for the fixed-rate run. */
  round: number | null;
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

async function measure(
  started: Started,
  server: ServerKind,
  endpoint: Endpoint,
  options: autocannon.Options,
  rate: number | null,
  round: number | null,
  seconds: number,
): Promise<Run> {
  process.stdout.write(`${server} ${endpoint} ${rate ? `at ${rate} req/s` : `flat out, round ${round}`} …\n`);
  const cpuBefore = await serverCpuMicros(started);
  const result = await autocannon({
    connections,
    duration: seconds,
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
    round,
    requestsPerSecond: result.requests.average,
    serverCpuMicrosPerRequest: result.requests.total > 0 ? cpu / result.requests.total : 0,
    latencyMs: { p50: latency.p50, p97_5: latency.p97_5, p99: latency.p99, max: latency.max },
    requests: result.requests.total,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

// Keep the load generator (and its threads) off the server core.
if (pinned) execFileSync('taskset', ['-a', '-cp', loadCpu, String(process.pid)], { stdio: 'ignore' });

const runs: Run[] = [];
/** Half the bare server's median requests/s, per endpoint. */
const goalRates = new Map<Endpoint, number>();

// All three side by side, pinned to the same core; only one is loaded at a time.
const started: Record<ServerKind, Started> = {
  bare: await startServer('bare'),
  fastify: await startServer('fastify'),
  parley: await startServer('parley'),
};
try {
  const project: BenchProject | undefined = started.parley.ready.project;
  if (!project) throw new Error('The reference server did not report its project');
  const kinds: ServerKind[] = ['bare', 'fastify', 'parley'];
  // Every server gets the reference server's request, token and body included: the same bytes.
  const options = (kind: ServerKind, endpoint: Endpoint): autocannon.Options =>
    requestOptions(endpoint, started[kind].ready.url, project);
  for (const endpoint of ENDPOINTS) {
    // Let earlier writes (the servers' start-up, a previous endpoint's sessions) reach the disk first.
    execFileSync('sync');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const kind of kinds) {
      if (warmup > 0) await autocannon({ connections, duration: warmup, ...options(kind, endpoint) });
    }
    for (let round = 1; round <= rounds; round++) {
      for (const kind of kinds) {
        runs.push(
          await measure(started[kind], kind, endpoint, options(kind, endpoint), null, round, duration),
        );
      }
    }
    const bareMedian = median(
      runs.filter((r) => r.server === 'bare' && r.endpoint === endpoint).map((r) => r.requestsPerSecond),
    );
    const goalRate = Math.round(bareMedian * GOAL_SHARE);
    goalRates.set(endpoint, goalRate);
    runs.push(
      await measure(
        started.parley,
        'parley',
        endpoint,
        options('parley', endpoint),
        goalRate,
        null,
        duration * 2,
      ),
    );
  }
} finally {
  await Promise.all(Object.values(started).map(stopServer));
}

/** A server's flat-out rounds on an endpoint, summarised. */
interface Summary {
  server: ServerKind;
  endpoint: Endpoint;
  requestsPerSecond: { median: number; min: number; max: number };
  serverCpuMicrosPerRequest: number;
  p99Ms: number;
}
const summaries: Summary[] = ENDPOINTS.flatMap((endpoint) =>
  (['bare', 'fastify', 'parley'] as const).map((server) => {
    const own = runs.filter((r) => r.server === server && r.endpoint === endpoint && r.rate === null);
    const rps = own.map((r) => r.requestsPerSecond);
    return {
      server,
      endpoint,
      requestsPerSecond: { median: median(rps), min: Math.min(...rps), max: Math.max(...rps) },
      serverCpuMicrosPerRequest: median(own.map((r) => r.serverCpuMicrosPerRequest)),
      p99Ms: median(own.map((r) => r.latencyMs.p99)),
    };
  }),
);

/** Whether an endpoint of the reference server meets the goal. */
interface Verdict {
  endpoint: Endpoint;
  /** The median over the rounds of (reference server's requests/s ÷ the bare server's, same round). */
  share: number;
  /** Each round's ratio. */
  roundShares: number[];
  goalRate: number;
  p99AtGoalRate: number;
  met: boolean;
}
const verdicts: Verdict[] = ENDPOINTS.map((endpoint) => {
  const flat = (server: ServerKind, round: number): Run | undefined =>
    runs.find((r) => r.server === server && r.endpoint === endpoint && r.round === round);
  const roundShares: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const bare = flat('bare', round);
    const parley = flat('parley', round);
    if (bare && parley) roundShares.push(parley.requestsPerSecond / bare.requestsPerSecond);
  }
  const share = median(roundShares);
  const atRate = runs.find((r) => r.server === 'parley' && r.endpoint === endpoint && r.rate !== null);
  const p99AtGoalRate = atRate?.latencyMs.p99 ?? Number.POSITIVE_INFINITY;
  return {
    endpoint,
    share,
    roundShares,
    goalRate: goalRates.get(endpoint) ?? 0,
    p99AtGoalRate,
    met: share >= GOAL_SHARE && p99AtGoalRate < GOAL_P99_MS,
  };
});

const environment = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
  loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100),
  pinning: pinned ? { serverCpu, loadGeneratorCpu: loadCpu } : null,
  connections,
  rounds,
  durationSeconds: duration,
  warmupSeconds: warmup,
  store,
  durability,
  logging,
};
await writeFile(
  `${outBase}.json`,
  `${JSON.stringify({ environment, summaries, verdicts, runs }, null, 2)}\n`,
);

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const summaryTable = [
  '| Endpoint | Server | Requests/s, median (min–max) | Server CPU/request (µs), median | p99 (ms), median |',
  '|---|---|---|---|---|',
  ...summaries.map(
    (s) =>
      `| \`${s.endpoint}\` | ${s.server} | **${fmt(s.requestsPerSecond.median)}** (${fmt(s.requestsPerSecond.min)}–${fmt(s.requestsPerSecond.max)}) | ${fmt(s.serverCpuMicrosPerRequest)} | ${fmt(s.p99Ms)} |`,
  ),
].join('\n');
const runTable = [
  '| Server | Endpoint | Load | Requests/s | Server CPU/request (µs) | p50 (ms) | p97.5 (ms) | p99 (ms) | max (ms) | Requests |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...runs.map(
    (r) =>
      `| ${r.server} | \`${r.endpoint}\` | ${r.rate ? `fixed ${fmt(r.rate)}/s` : `flat out, round ${r.round}`} | ${fmt(r.requestsPerSecond)} | ${fmt(r.serverCpuMicrosPerRequest)} | ${fmt(r.latencyMs.p50)} | ${fmt(r.latencyMs.p97_5)} | ${fmt(r.latencyMs.p99)} | ${fmt(r.latencyMs.max)} | ${fmt(r.requests)} |`,
  ),
].join('\n');
const goals = verdicts
  .map(
    (v) =>
      `- \`${v.endpoint}\`: **${fmt(v.share * 100)} %** of the bare server's requests/s (rounds: ${v.roundShares.map((x) => `${fmt(x * 100)} %`).join(', ')}), p99 ${fmt(v.p99AtGoalRate)} ms at ${fmt(v.goalRate)} req/s — ${v.met ? 'goal met' : '**goal not met**'}`,
  )
  .join('\n');
const busy = (environment.loadAverageAtEnd[0] ?? 0) > cpus().length;
const busyNote = busy
  ? `\n**The machine was busy** (load average ${environment.loadAverageAtEnd[0]} on ${cpus().length} CPUs while this ran):
pinning cannot keep other processes off the two cores, so requests/s and latencies understate all servers;
the interleaved rounds keep their ratio fair, but re-run on an idle machine to judge the goal.\n`
  : '';
const report = `# Reference server REST benchmark

Generated by \`pnpm --filter @parley/reference-server bench\` on ${environment.date}.
Node ${environment.node}, ${environment.cpus}; load average at the end ${environment.loadAverageAtEnd.join(' / ')}.
${
  pinned
    ? `The three servers ran side by side, each in a child process pinned to CPU ${serverCpu} (one loaded at a time); autocannon ran pinned to CPU ${loadCpu}.`
    : 'Not pinned to cores (taskset missing or a single CPU): servers and load generator shared the CPUs.'
}
autocannon with ${connections} connections; per endpoint ${warmup} s of warm-up per server, then ${rounds} interleaved flat-out
rounds of ${duration} s (bare, Fastify, reference server, again), then the reference server for ${duration * 2} s at half the bare
server's median rate. Reference server: ${store} store${
  store === 'sqlite' ? ` (durability \`${durability}\`)` : ''
}, pino logging ${logging === 'info' ? 'at info (one line per request, the lines of each event-loop turn written to a file in one write, as the server writes standard output)' : 'off'}, rate limiting off.

${summaryTable}
${busyNote}
Goal: at least ${GOAL_SHARE * 100} % of the bare server's requests/s on one core (the median over the rounds of the
ratio within a round), p99 under ${GOAL_P99_MS} ms at half the bare server's rate.

${goals}

Every server receives the same request for an endpoint: the same method, path and headers, an
\`X-OPENTOK-AUTH\` JWT minted for each request as the \`opentok\` SDK mints it (the same token for every
request of one second), and for \`POST /session/create\` the same form body. The reference server
authenticates it, validates it against the spec, counts it in the metrics and logs it; session creation
also writes the session to the store (committed before the answer). The bare \`node:http\` server reads the
request and answers canned JSON of the same shape; the \`fastify\` row is a bare Fastify route answering the
same JSON (the framework's own floor).

## Every run

${runTable}
`;
await writeFile(`${outBase}.md`, report);
process.stdout.write(`\n${summaryTable}\n\n${goals}\n\nWritten to ${outBase}.md and ${outBase}.json\n`);
