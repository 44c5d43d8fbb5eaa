/**
 * Signaling-scale benchmark (issue 7): a thousand protocol clients in one session of the reference
 * server. The server runs as `parley start` in a child process (CPU and RSS read from /proc); the clients
 * run in separate load-generator processes (`src/loadtest/signaling/`). Measures the connect rate and
 * latency, signal fan-out latency at every client, server CPU during the fan-out, and server memory per
 * idle connection; writes `bench/results/signaling.json` and `signaling.md`. Bounded: it gives up after
 * BENCH_SIGNALING_DEADLINE seconds, and everything it started is stopped either way.
 *
 * Usage: pnpm --filter @parley/reference-server exec tsx bench/signaling.bench.ts   (also part of `pnpm bench`)
 * Environment (all optional):
 *   BENCH_SIGNALING_CLIENTS      clients in the session (default 1000)
 *   BENCH_SIGNALING_PROCESSES    load-generator processes (default 2)
 *   BENCH_SIGNALING_CONCURRENCY  joins in flight per generator process (default 20)
 *   BENCH_SIGNALING_SIGNALS      fan-out signals (default 50), BENCH_SIGNALING_INTERVAL ms between them (default 100)
 *   BENCH_SIGNALING_SUPPRESS     1: clients set connectionEventsSuppressed (default 0, as OpenTok.js)
 *   BENCH_SIGNALING_LOG          the server's --log-level (default info)
 *   BENCH_SIGNALING_CPU_PROF     a directory: the server writes a V8 CPU profile there on exit
 *   BENCH_SIGNALING_DEADLINE     seconds before the run is abandoned (default 600)
 *   BENCH_SIGNALING_OUT          output directory (default bench/results)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import OpenTok from 'opentok';
import { GeneratorProcess } from '../src/loadtest/signaling/generator-process.js';
import { summarizeLatencies } from '../src/loadtest/signaling/latency.js';
import { cpuBetween, type ProcessSample } from '../src/loadtest/signaling/process-sampler.js';
import type { JoinTarget } from '../src/loadtest/signaling/protocol-client.js';
import {
  type SignalingReport,
  signalingGoalsMet,
  signalingMarkdown,
} from '../src/loadtest/signaling/report.js';
import { type ServerProcess, startServerProcess } from '../src/loadtest/signaling/server-process.js';

const env = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, not "${raw}"`);
  return value;
};
const clients = env('BENCH_SIGNALING_CLIENTS', 1000);
const processes = Math.max(1, env('BENCH_SIGNALING_PROCESSES', 2));
const concurrency = Math.max(1, env('BENCH_SIGNALING_CONCURRENCY', 20));
const signals = Math.max(1, env('BENCH_SIGNALING_SIGNALS', 50));
const intervalMs = env('BENCH_SIGNALING_INTERVAL', 100);
const suppress = process.env.BENCH_SIGNALING_SUPPRESS === '1';
const logLevel = process.env.BENCH_SIGNALING_LOG || 'info';
const cpuProfileDir = process.env.BENCH_SIGNALING_CPU_PROF || undefined;
const deadlineSeconds = env('BENCH_SIGNALING_DEADLINE', 600);
const outDir = process.env.BENCH_SIGNALING_OUT ?? join(dirname(fileURLToPath(import.meta.url)), 'results');
if (clients < 2) throw new Error('BENCH_SIGNALING_CLIENTS must be at least 2 (a sender and a receiver)');

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const loadAverage = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

/** Median of a few RSS readings taken apart: one reading can catch the heap mid-collection. */
async function settledRss(server: ServerProcess, readings = 5, gapMs = 400): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < readings; i++) {
    if (i > 0) await sleep(gapMs);
    values.push((await server.sample()).rssBytes);
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] as number;
}

/** Polls the generators until they hold `expected` receipts in total, or `timeoutMs` passes. */
async function waitForReceipts(
  generators: readonly GeneratorProcess[],
  expected: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const statuses = await Promise.all(generators.map((g) => g.call('status', {})));
    if (statuses.reduce((total, s) => total + s.receipts, 0) >= expected) return;
    await sleep(50);
  }
}

function createSession(opentok: OpenTok): Promise<string> {
  // The reference server's typings of `opentok` declare only what it uses; `createSession` is real.
  const sdk = opentok as unknown as {
    createSession(
      options: { mediaMode: string },
      callback: (error: Error | null, session?: { sessionId: string }) => void,
    ): void;
  };
  return new Promise((resolve, reject) =>
    sdk.createSession({ mediaMode: 'routed' }, (error, session) =>
      error || !session ? reject(error ?? new Error('no session')) : resolve(session.sessionId),
    ),
  );
}

async function run(): Promise<SignalingReport> {
  const loadAverageStart = loadAverage();
  say(
    `signaling: ${clients} clients in ${processes} process(es); load average ${loadAverageStart.join(' / ')}`,
  );
  // The inspector (127.0.0.1) lets the bench read the server's memory after a full GC.
  const server = await startServerProcess({
    logLevel,
    inspect: true,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  const generators = Array.from({ length: processes }, () => GeneratorProcess.start());
  try {
    const { credentials } = server;
    // The customer's side: the official server SDK creates the session and mints the tokens.
    const opentok = new OpenTok(credentials.apiKey, credentials.apiSecret, { apiUrl: server.url });
    const target = (sessionId: string): JoinTarget => ({
      apiUrl: server.url,
      apiKey: credentials.apiKey,
      sessionId,
      token: opentok.generateToken(sessionId, { role: 'publisher' }),
    });

    // Warm-up in a session of its own: JIT-compiles the join and signal paths, so the baseline RSS below
    // already holds the code every connection runs.
    const warmSession = await createSession(opentok);
    const warm = generators[0] as GeneratorProcess;
    await warm.call('join', {
      targets: Array.from({ length: 20 }, () => target(warmSession)),
      options: { concurrency },
    });
    await warm.call('signal', { count: 5, intervalMs: 10 });
    await warm.call('close', {});
    await warm.call('receipts', {});
    await sleep(2000);
    // RSS first, then the collection, in both readings: a collection can lower RSS.
    const rssBeforeBytes = await settledRss(server);
    const retainedBefore = await server.memoryAfterGc();
    say(`  server idle RSS ${(rssBeforeBytes / 1048576).toFixed(1)} MB`);

    const sessionId = await createSession(opentok);
    const targets = Array.from({ length: clients }, () => target(sessionId));
    const shares = generators.map((_, g) => targets.filter((__, i) => i % processes === g));
    const joinCpuBefore = await server.sample();
    const joinStarted = performance.now();
    const joins = await Promise.all(
      generators.map((g, i) =>
        g.call('join', {
          targets: shares[i] as JoinTarget[],
          options: { concurrency, suppressConnectionEvents: suppress },
        }),
      ),
    );
    const joinWallSeconds = (performance.now() - joinStarted) / 1000;
    const joinCpu = cpuBetween(joinCpuBefore, await server.sample());
    const joined = joins.reduce((total, j) => total + j.joined, 0);
    const failed = joins.reduce((total, j) => total + j.failed, 0);
    say(`  joined ${joined} (${failed} failed) in ${joinWallSeconds.toFixed(1)} s`);
    if (joined < 2)
      throw new Error(`only ${joined} clients joined: ${joins.flatMap((j) => j.failures).join('; ')}`);

    // Idle: let the ACKs of the join announcements drain, then read the server's memory.
    await sleep(5000);
    const rssAfterBytes = await settledRss(server);
    const retainedAfter = await server.memoryAfterGc();
    const retained = (m: typeof retainedAfter): number => m.heapUsedBytes + m.externalBytes;
    say(
      `  idle RSS ${(rssAfterBytes / 1048576).toFixed(1)} MB; retained after GC ${(retained(retainedBefore) / 1048576).toFixed(1)} → ${(retained(retainedAfter) / 1048576).toFixed(1)} MB`,
    );

    // Fan-out: the first client of the first generator signals everyone.
    const expectedReceipts = signals * (joined - 1);
    const fanoutServerBefore = await server.sample();
    const generatorBefore = await Promise.all(generators.map((g) => g.sample()));
    const signalRun = await (generators[0] as GeneratorProcess).call('signal', {
      count: signals,
      intervalMs,
    });
    await waitForReceipts(generators, expectedReceipts, 10_000);
    const fanoutServerAfter = await server.sample();
    const generatorAfter = await Promise.all(generators.map((g) => g.sample()));
    const fanoutCpu = cpuBetween(fanoutServerBefore, fanoutServerAfter);
    const receipts = await Promise.all(generators.map((g) => g.call('receipts', {})));
    const latencies = receipts.flatMap((r) => r.latenciesMs);
    const statuses = await Promise.all(generators.map((g) => g.call('status', {})));
    const generatorCores = generators.reduce(
      (total, _, i) =>
        total + cpuBetween(generatorBefore[i] as ProcessSample, generatorAfter[i] as ProcessSample).cores,
      0,
    );
    const fanoutLatency = summarizeLatencies(latencies);
    say(
      `  fan-out p50 ${fanoutLatency.p50} ms, p99 ${fanoutLatency.p99} ms (${latencies.length}/${expectedReceipts} receipts)`,
    );

    const machine = cpus();
    const connectLatencies = joins.flatMap((j) => j.timings.map((t) => t.connectedMs));
    return {
      generatedAt: new Date().toISOString(),
      machine: {
        cpus: machine.length,
        cpuModel: machine[0]?.model.trim() ?? 'unknown',
        node: process.version,
        loadAverageStart,
        loadAverageEnd: loadAverage(),
      },
      config: {
        clients,
        generatorProcesses: processes,
        joinConcurrencyPerProcess: concurrency,
        signals,
        signalIntervalMs: intervalMs,
        connectionEventsSuppressed: suppress,
        serverLogLevel: logLevel,
      },
      connect: {
        joined,
        failed,
        failures: joins.flatMap((j) => j.failures).slice(0, 10),
        wallSeconds: round(joinWallSeconds, 2),
        connectionsPerSecond: round(joined / joinWallSeconds, 1),
        latencyMs: summarizeLatencies(connectLatencies),
        sessionInfoMs: summarizeLatencies(joins.flatMap((j) => j.timings.map((t) => t.sessionInfoMs))),
        serverCpuSeconds: round(joinCpu.cpuSeconds, 2),
        serverCores: round(joinCpu.cores, 3),
      },
      idle: {
        retainedBeforeBytes: retained(retainedBefore),
        retainedAfterBytes: retained(retainedAfter),
        bytesPerConnection: Math.round(
          Math.max(0, retained(retainedAfter) - retained(retainedBefore)) / joined,
        ),
        rssBeforeBytes,
        rssAfterBytes,
        rssBytesPerConnection: Math.round(Math.max(0, rssAfterBytes - rssBeforeBytes) / joined),
      },
      fanout: {
        signalsSent: signalRun.sent,
        signalsFailed: signalRun.failed,
        receipts: latencies.length,
        expectedReceipts,
        latencyMs: fanoutLatency,
        wallSeconds: round(fanoutCpu.wallSeconds, 2),
        serverCpuSeconds: round(fanoutCpu.cpuSeconds, 2),
        serverCores: round(fanoutCpu.cores, 3),
        serverCpuMicrosPerDelivery: round(
          (fanoutCpu.cpuSeconds * 1e6) / (latencies.length + signalRun.sent),
          1,
        ),
        generatorCores: round(generatorCores, 3),
      },
      lostConnections: {
        count: statuses.reduce((total, s) => total + s.lost.count, 0),
        reasons: statuses.flatMap((s) => s.lost.reasons).slice(0, 5),
      },
    };
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    await server.stop();
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const deadline = setTimeout(() => {
  process.stderr.write(`signaling benchmark: abandoned after ${deadlineSeconds} s\n`);
  process.exit(1); // the 'exit' handlers kill the server and the generators
}, deadlineSeconds * 1000);
deadline.unref();

const report = await run();
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'signaling.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(outDir, 'signaling.md'), signalingMarkdown(report));
const met = signalingGoalsMet(report);
say(
  `wrote ${join(outDir, 'signaling.md')} (fan-out p99 goal ${met.fanoutP99 ? 'met' : 'missed'}, idle memory goal ${met.idleMemory ? 'met' : 'missed'})`,
);
clearTimeout(deadline);
