/**
 * Recording benchmark (issue 8, "Performance"): writes `bench/results/recording.json`, `recording.md`
 * and `recording.svg`.
 *
 * 1. **CPU per archive minute** — for 640x480 and 1280x720 × 2 and 4 streams: a composed archive
 *    (`ComposedRecorder` as the archive manager configures it) of stand-in publishers (a test pattern
 *    encoded once to VP8 + Opus and replayed as RTP in a loop at its native rate, `LoopedRtpSource`, fed
 *    through `FakeMediaSource` in real time — live encoders fell behind real time on a loaded machine
 *    and made the composer look slow, see `src/recording/bench/looped-rtp-source.ts`),
 *    recorded for BENCH_RECORDING_DURATION seconds. The composer's ffmpeg, the Node process and the
 *    stand-in publishers are measured apart (`/proc`, see `src/recording/bench/cpu-ledger.ts`); the
 *    output is joined and probed.
 * 2. **Simultaneous archives vs SFU delivery** — the SFU load tool (`runLoadTest`, 1:1 calls through a
 *    worker process) runs while 0, 1, 2, … composed archives (640x480, 2 streams each) record; the
 *    search stops at the first count where delivery falls below 0.999 or a composer falls behind real
 *    time. The load tool does not expose its sessions, so the archives record stand-in publishers in
 *    parallel: they load the machine (ffmpeg composers, Node forwarding) but their media does not
 *    pass through the load tool's SFU worker.
 *
 * Usage: pnpm --filter @parley/reference-server exec tsx bench/recording.bench.ts (also part of `pnpm bench`)
 * Environment: BENCH_RECORDING_DURATION (seconds recorded per cost run, default 20),
 * BENCH_RECORDING_SOURCE (stand-in publisher video, default 640x480@30), BENCH_RECORDING_ONLY (`cost` or
 * `capacity`), BENCH_RECORDING_LOAD_PUBLISHERS (1:1 calls in the load test, default 16),
 * BENCH_RECORDING_LOAD_DURATION (load test seconds measured, default 10), BENCH_RECORDING_MAX_ARCHIVES
 * (default 6), BENCH_RECORDING_MIN_SPEED (default 0.95), BENCH_RECORDING_OUT (default bench/results).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runLoadTest } from '../src/loadtest/run.js';
import { BenchArchive, type OutputSample, outputSpeed } from '../src/recording/bench/bench-archive.js';
import { classifyBenchChild, cpuWindow, takeCpuSnapshot } from '../src/recording/bench/cpu-ledger.js';
import { writeFlushingFfmpeg } from '../src/recording/bench/flushing-ffmpeg.js';
import { LoopedRtpSource } from '../src/recording/bench/looped-rtp-source.js';
import { procfsAvailable } from '../src/recording/bench/proc-stat.js';
import {
  type CapacityStep,
  type CostRun,
  capacityTable,
  costChart,
  costTable,
  type RecordingBenchResults,
} from '../src/recording/bench/recording-report.js';
import type { Resolution } from '../src/recording/layouts.js';
import { FakeMediaSource } from '../src/recording/testing/fake-media-source.js';

/** A positive number from the environment, or the default; a bad value stops the run naming the variable. */
function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number from ${min} to ${max}, got ${raw}`);
  }
  return value;
}

const recordSeconds = envNumber('BENCH_RECORDING_DURATION', 20, 3, 3600);
const loadPublishers = envNumber('BENCH_RECORDING_LOAD_PUBLISHERS', 16, 1, 500);
const loadSeconds = envNumber('BENCH_RECORDING_LOAD_DURATION', 10, 1, 3600);
const maxArchives = envNumber('BENCH_RECORDING_MAX_ARCHIVES', 6, 1, 64);
const minSpeed = envNumber('BENCH_RECORDING_MIN_SPEED', 0.95, 0, 1);
const minDelivery = 0.999;
const sourceSpec = process.env.BENCH_RECORDING_SOURCE ?? '640x480@30';
const sourceMatch = /^(\d+x\d+)@(\d+)$/.exec(sourceSpec);
if (!sourceMatch?.[1] || !sourceMatch[2]) {
  throw new RangeError(`BENCH_RECORDING_SOURCE must look like 640x480@30, got ${sourceSpec}`);
}
const sourceSize = sourceMatch[1];
const sourceFps = Number(sourceMatch[2]);
const only = process.env.BENCH_RECORDING_ONLY;
if (only !== undefined && only !== 'cost' && only !== 'capacity') {
  throw new RangeError(`BENCH_RECORDING_ONLY must be cost or capacity, got ${only}`);
}
const outDir = process.env.BENCH_RECORDING_OUT ?? join(dirname(fileURLToPath(import.meta.url)), 'results');
/** Seconds after the first output before measuring: the first fragments and x264's lookahead settle. */
const SETTLE_SECONDS = 2;
const PATTERNS = ['testsrc', 'smptebars', 'testsrc2', 'rgbtestsrc'];

const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

if (!(await procfsAvailable()))
  throw new Error('The recording benchmark measures CPU from /proc: Linux only');
const { stdout: ffmpegVersion } = await promisify(execFile)(process.env.PARLEY_FFMPEG ?? 'ffmpeg', [
  '-version',
]);
const results: RecordingBenchResults = {
  generatedAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    ffmpeg: ffmpegVersion.split('\n')[0] ?? 'unknown',
  },
  loadAverage: { start: loadAverage(), end: '' },
  config: { recordSeconds, sourceSpec, loadPublishers, loadSeconds, maxArchives, minSpeed, minDelivery },
  cost: [],
  costFailures: [],
  capacity: null,
};

const root = await mkdtemp(join(tmpdir(), 'parley-recording-bench-'));
const ffmpegPath = await writeFlushingFfmpeg(root);
const sources: LoopedRtpSource[] = [];
try {
  for (const [index, pattern] of PATTERNS.entries()) {
    const source = new LoopedRtpSource({
      size: sourceSize,
      frameRate: sourceFps,
      pattern,
      toneHz: 330 + index * 110,
    });
    await source.start();
    sources.push(source);
  }
  if (only !== 'capacity') await costRuns();
  if (only !== 'cost') await capacitySearch();
} finally {
  for (const source of sources) await source.close();
  await rm(root, { recursive: true, force: true });
}

/** A fake session publishing the first `streams` stand-in publishers. */
function sessionOf(name: string, streams: number): FakeMediaSource {
  const session = new FakeMediaSource(name);
  for (const [index, source] of sources.slice(0, streams).entries())
    session.addStream(`${name}-s${index}`, source);
  return session;
}

async function costRuns(): Promise<void> {
  const matrix: { resolution: Resolution; streams: number }[] = [
    { resolution: '640x480', streams: 2 },
    { resolution: '640x480', streams: 4 },
    { resolution: '1280x720', streams: 2 },
    { resolution: '1280x720', streams: 4 },
  ];
  for (const { resolution, streams } of matrix) {
    const name = `${resolution}, ${streams} streams`;
    log(`${name} … (load average ${loadAverage()})`);
    // Node's cost of receiving the stand-in publishers' packets, which a real server does not have.
    const idleBefore = await takeCpuSnapshot(classifyBenchChild);
    await sleep(3000);
    const idle = cpuWindow(idleBefore, await takeCpuSnapshot(classifyBenchChild));
    let archive: BenchArchive;
    try {
      archive = await BenchArchive.start({
        source: sessionOf(`cost-${resolution}-${streams}`, streams),
        workDirectory: join(root, `cost-${resolution}-${streams}`),
        resolution,
        ffmpegPath,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  failed: ${message}`);
      results.costFailures.push({ name, error: message });
      await writeResults();
      continue;
    }
    await sleep(SETTLE_SECONDS * 1000);
    const [before, outBefore] = [await takeCpuSnapshot(classifyBenchChild), await archive.sample()];
    await sleep(recordSeconds * 1000);
    const outAfter = await archive.sample();
    const window = cpuWindow(before, await takeCpuSnapshot(classifyBenchChild));
    const stopMs = await archive.stop();
    const output = await archive.finish();
    const composer = window.byKind.composer ?? 0;
    const baseline = (idle.nodeSeconds / idle.wallSeconds) * window.wallSeconds;
    const minutes = window.wallSeconds / 60;
    const speed = outputSpeed(outBefore, outAfter);
    const problems = [
      ...archive.failures.map((f) => `failed: ${f}`),
      ...(speed < minSpeed ? [`fell behind real time (speed ${speed.toFixed(3)})`] : []),
      ...(Math.abs(output.durationSeconds - output.recordedSeconds) > 1
        ? [
            `output ${output.durationSeconds.toFixed(1)} s for ${output.recordedSeconds.toFixed(1)} s recorded`,
          ]
        : []),
      ...(output.segments > 1 ? [`${output.segments} segments (the composer restarted)`] : []),
      ...(window.unattributedSeconds > 0.5
        ? [`${window.unattributedSeconds.toFixed(1)} CPU-s unattributed`]
        : []),
    ];
    const run: CostRun = {
      name,
      resolution,
      streams,
      windowSeconds: round(window.wallSeconds),
      composerCpuSeconds: round(composer),
      nodeCpuSeconds: round(window.nodeSeconds),
      nodeBaselineCpuSeconds: round(baseline),
      testMediaCpuSeconds: round(window.byKind['test-media'] ?? 0),
      unattributedCpuSeconds: round(window.unattributedSeconds),
      composerCpuPerMinute: round(composer / minutes, 2),
      composerCores: round(composer / window.wallSeconds),
      nodeCpuPerMinute: round(Math.max(0, window.nodeSeconds - baseline) / minutes, 2),
      speed: round(speed),
      stopMs: Math.round(stopMs),
      output: {
        sizeBytes: output.sizeBytes,
        bytesPerMinute: Math.round(output.sizeBytes / (output.durationSeconds / 60)),
        durationSeconds: round(output.durationSeconds),
        recordedSeconds: round(output.recordedSeconds),
        video: output.video
          ? `${output.video.codec} ${output.video.width}x${output.video.height}`
          : 'no video',
        audio: output.audioCodec ?? 'no audio',
        segments: output.segments,
      },
      warnings: archive.warningCount,
      problems,
    };
    log(
      `  composer ${run.composerCpuPerMinute} CPU-s/min (${run.composerCores} cores), speed ${run.speed}, ` +
        `${(run.output.bytesPerMinute / 1e6).toFixed(1)} MB/min${problems.length ? `; ${problems.join('; ')}` : ''}`,
    );
    results.cost.push(run);
    await writeResults();
  }
}

async function capacitySearch(): Promise<void> {
  const capacity: NonNullable<RecordingBenchResults['capacity']> = {
    scenario:
      `runLoadTest: ${loadPublishers} one-to-one calls (VP8 320x240 15 fps + Opus), 1 SFU worker process, ` +
      `3 s warm-up, ${loadSeconds} s measured; archives: 640x480 composed, 2 stand-in publishers ` +
      `(${sourceSpec}) each, started before the load test and stopped after it`,
    minDelivery,
    minSpeed,
    steps: [],
    maximum: null,
    stoppedBecause: `reached BENCH_RECORDING_MAX_ARCHIVES (${maxArchives}) without a failure`,
  };
  results.capacity = capacity;
  for (let count = 0; count <= maxArchives; count++) {
    log(`${count} archive(s) during the load test … (load average ${loadAverage()})`);
    let step: CapacityStep;
    try {
      step = await capacityStep(count);
    } catch (error) {
      // The load test could not run (a client or the SFU worker did not start): nothing to compare.
      capacity.stoppedBecause = `${count} archive(s): the load test failed: ${error instanceof Error ? error.message : String(error)}`;
      capacity.maximum = count === 0 ? null : count - 1;
      log(`  ${capacity.stoppedBecause}`);
      await writeResults();
      return;
    }
    capacity.steps.push(step);
    log(
      `  delivery ${step.delivery}, composer speed ${step.speeds.map((s) => s.toFixed(3)).join(', ') || '–'}`,
    );
    if (step.failure) {
      capacity.stoppedBecause = `${count} archive(s): ${step.failure}`;
      capacity.maximum = count === 0 ? null : count - 1;
      await writeResults();
      return;
    }
    capacity.maximum = count;
    await writeResults();
  }
}

async function capacityStep(count: number): Promise<CapacityStep> {
  const archives: BenchArchive[] = [];
  let failure: string | null = null;
  try {
    for (let i = 0; i < count; i++) {
      archives.push(
        await BenchArchive.start({
          source: sessionOf(`capacity-${count}-${i}`, 2),
          workDirectory: join(root, `capacity-${count}-${i}`),
          resolution: '640x480',
          ffmpegPath,
        }),
      );
    }
  } catch (error) {
    failure = `an archive did not start: ${error instanceof Error ? error.message : String(error)}`;
  }
  await sleep(archives.length > 0 ? SETTLE_SECONDS * 1000 : 0);
  const sample = (): Promise<OutputSample[]> => Promise.all(archives.map((a) => a.sample()));
  const [cpuBefore, outBefore] = [await takeCpuSnapshot(classifyBenchChild), await sample()];
  let report: Awaited<ReturnType<typeof runLoadTest>>;
  try {
    report = await runLoadTest(
      {
        publishers: loadPublishers,
        subscribersPerPublisher: 1,
        durationSeconds: loadSeconds,
        warmupSeconds: 3,
        connectConcurrency: 2,
        connectTimeoutMs: 60_000,
      },
      (line) => log(`  ${line}`),
    );
  } catch (error) {
    for (const archive of archives) await archive.stop();
    throw error;
  }
  const outAfter = await sample();
  const window = cpuWindow(cpuBefore, await takeCpuSnapshot(classifyBenchChild));
  const speeds = archives.map((_, i) => {
    const [before, after] = [outBefore[i], outAfter[i]];
    return before && after ? round(outputSpeed(before, after)) : 0;
  });
  const durationErrors: number[] = [];
  for (const archive of archives) {
    await archive.stop();
    const output = await archive.finish();
    durationErrors.push(round(output.durationSeconds - output.recordedSeconds));
    if (archive.failures.length > 0) failure ??= `an archive failed: ${archive.failures[0]}`;
  }
  const slowest = Math.min(...speeds);
  if (report.delivery.ratio < minDelivery)
    failure ??= `SFU delivery ${report.delivery.ratio} < ${minDelivery}`;
  if (slowest < minSpeed) failure ??= `a composer fell behind real time (speed ${slowest} < ${minSpeed})`;
  return {
    archives: count,
    delivery: report.delivery.ratio,
    sequenceGaps: report.delivery.sequenceGaps,
    silentTracks: report.delivery.silentTracks,
    udpReceiveBufferErrors: report.machine.udpReceiveBufferErrors,
    sfuCores: report.server.coresUsed,
    packetsOutPerCoreSecond: report.server.packetsOutPerCoreSecond,
    loadGeneratorEventLoopUtilization: report.loadGenerator.eventLoopUtilization,
    speeds,
    composerCores: round((window.byKind.composer ?? 0) / window.wallSeconds),
    durationErrors,
    failure,
  };
}

/** Writes the three result files for what has run so far (a run cut short keeps what it measured). */
async function writeResults(): Promise<void> {
  results.loadAverage.end = loadAverage();
  const { machine, capacity } = results;
  const markdown = `# Recording benchmark

Generated by \`tsx bench/recording.bench.ts\` on ${results.generatedAt}: Node ${machine.node},
${machine.cpus} × ${machine.cpuModel}, ${machine.ffmpeg}. Full results: [recording.json](recording.json).
Machine load (1/5/15-minute load averages) at the start: ${results.loadAverage.start}; at the end:
${results.loadAverage.end}. CPU-second figures do not depend on other load; speeds and delivery do.

## CPU per composed archive minute (issue 8)

Each run records a composed archive (\`bestFit\`, H.264 + AAC, the archive manager's default bitrate cap)
of 2 or 4 stand-in publishers: a 4-second clip of a test pattern (${sourceSpec}) encoded once to VP8 +
Opus, replayed in a loop at its native rate as RTP on 127.0.0.1 (\`LoopedRtpSource\`: live encoders fell
behind real time on a loaded machine), handed to the recorder through \`FakeMediaSource\` in real time. After ${SETTLE_SECONDS} s of output,
${recordSeconds} s are measured; then the archive is stopped, joined and probed with ffprobe.

![Composer CPU seconds per archive minute](recording.svg)

${costTable(results.cost)}
${results.costFailures.length > 0 ? `\nRuns that could not record:\n\n${results.costFailures.map((f) => `- ${f.name}: ${f.error}`).join('\n')}\n` : ''}
- *Composer CPU-s per archive minute*: CPU time (user + system) of the composer's ffmpeg process in the
  window, from \`/proc/<pid>/stat\`, ÷ recorded minutes. *Composer cores* = the same ÷ wall seconds
  (1.00 = one core busy: the realtime factor).
- *Node CPU-s per minute*: the Node process's extra CPU while recording (forwarding RTP to the composer),
  after subtracting what it used to receive the stand-in publishers' packets without an archive.
- *Speed*: media seconds the composer wrote per wall second in the window (1 = real time), read from
  the fragments of its output file. For this the composer runs through a wrapper adding
  \`-flush_packets 1\` (ffmpeg 5.1 otherwise buffers ~256 KB of output; see
  \`src/recording/bench/flushing-ffmpeg.ts\`). *Stop*: how long \`stop()\` took — the composer first drains
  to the stop time, so a long stop means it was behind.
- The stand-in publishers' own cost (replaying their clips) is measured apart and not counted.

## Simultaneous composed archives vs SFU delivery

${
  capacity
    ? `Scenario: ${capacity.scenario}. A step fails when SFU delivery < ${capacity.minDelivery} or a composer's
speed < ${capacity.minSpeed}. **The archives' media does not pass through the load tool's SFU**
(\`runLoadTest\` does not expose its sessions): they add the composers' and Node's load to the machine while
the SFU's delivery is measured.

**Maximum simultaneous composed archives (640x480, 2 streams) with delivery ≥ ${capacity.minDelivery}: ${capacity.maximum ?? 'not determined'}**
(stopped: ${capacity.stoppedBecause}).

${capacityTable(capacity.steps)}
`
    : 'Not run (BENCH_RECORDING_ONLY=cost).'
}
`;
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'recording.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(outDir, 'recording.svg'), costChart(results.cost));
  await writeFile(join(outDir, 'recording.md'), markdown);
  log(`wrote ${join(outDir, 'recording.md')}`);
}
