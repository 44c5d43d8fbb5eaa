/**
 * The load test's report: its shape (what `parley load-test` prints as JSON) and how it is computed from
 * the counters read at the start and the end of the measurement window.
 */
import { cpus } from 'node:os';
import type { WorkerSample } from '../sfu/workers/pool-engine.js';
import { type DeliverySummary, summarizeDelivery, type TrackWindow } from './delivery.js';
import type { GeneratorSample } from './generator/protocol.js';
import { type MemoryBreakdown, type MemoryPerStream, memoryOf, memoryPerStream } from './memory.js';
import type { ResolvedLoadTestOptions } from './options.js';
import type { SequenceCounts } from './sequence-tracker.js';
import type { Distribution } from './summary.js';

/** One load-generator process over the window. */
export interface GeneratorProcessReport {
  pid: number;
  publishers: number;
  subscribers: number;
  cpuSeconds: number;
  coresUsed: number;
  packetsSent: number;
  /** Share of the window its event loop was busy (0–1). */
  eventLoopUtilization: number;
  /** Its event-loop delay in the window (ms): how late its clients ran. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/** The result of one run (what `parley load-test` prints as JSON). */
export interface LoadTestReport {
  config: ResolvedLoadTestOptions;
  startedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    /**
     * UDP datagrams the kernel dropped in the window because a socket's receive buffer was full
     * (machine-wide, Linux only; null elsewhere). Non-zero means some process stalled: look at the load
     * generators' event loop figures and the machine's load.
     */
    udpReceiveBufferErrors: number | null;
  };
  streams: {
    sessions: number;
    publishers: number;
    subscribers: number;
    /** Publisher → subscriber streams (each with the configured tracks). */
    forwarded: number;
    consumers: number;
  };
  server: {
    workers: number;
    /** The measurement window as the SFU workers timed it, in seconds. */
    windowSeconds: number;
    /** SFU CPU time (user + system, all workers) in the window. */
    cpuSeconds: number;
    /** `cpuSeconds / windowSeconds`: how many cores the SFU kept busy. */
    coresUsed: number;
    packetsIn: number;
    packetsOut: number;
    /**
     * `packetsInPerSecond` ÷ the rate the publishers sent at: below 1 when packets were lost on the way in
     * (kernel buffers, SRTP failures), so that subscriber losses can be told apart from SFU ingress losses.
     */
    ingressRatio: number;
    packetsInPerSecond: number;
    packetsOutPerSecond: number;
    /** The headline: packets out per second of SFU CPU. */
    packetsOutPerCoreSecond: number;
    bitrateOutBps: number;
    /** Worker RSS before any session, summed over workers. */
    rssIdleBytes: number;
    /** Worker RSS at the end of the window. */
    rssBytes: number;
    /** `(rssBytes − rssIdleBytes) / forwarded`. */
    rssPerForwardedStreamBytes: number;
    /** Worker memory by owner before any session and at the end of the window (summed over workers). */
    memory: { idle: MemoryBreakdown; loaded: MemoryBreakdown; perForwardedStream: MemoryPerStream };
  };
  /**
   * What the subscribers received against what their publishers sent in the window, over every
   * subscriber track: a track that received nothing counts with delivery 0 (see `delivery.ts`).
   */
  delivery: DeliverySummary;
  /** From the request to create the transport to the client's connected state, in ms. */
  connectMs: { publisher: Distribution; subscriber: Distribution };
  /** From the subscribe request to the first RTP packet at the subscriber, in ms. */
  firstPacketMs: { any: Distribution; video: Distribution };
  loadGenerator: {
    /** Generator processes (see `processes` for each). */
    generators: number;
    /** CPU time of all generators in the window. */
    cpuSeconds: number;
    coresUsed: number;
    packetsSent: number;
    packetsSentPerSecond: number;
    /**
     * The busiest generator's event-loop utilisation in the window (0–1). Near 1 a generator, not the
     * SFU, limits the run: its clients pace late and burst, and their sockets overflow.
     */
    eventLoopUtilization: number;
    /** The worst generator's event-loop delay in the window (p99 and max, ms). */
    eventLoopDelayP99Ms: number;
    eventLoopDelayMaxMs: number;
    processes: GeneratorProcessReport[];
  };
}

/** Everything read at one end of the window. */
export interface MeasurePoint {
  /** The SFU workers' own samples (counters, CPU, RSS, their sample times). */
  workers: WorkerSample[];
  packetsIn: number;
  packetsOut: number;
  bytesOut: number;
  /** One sample per generator, in generator order. */
  generators: GeneratorSample[];
  /** Per subscriber track (every subscriber × every kind, whether or not it ever received anything). */
  tracks: { sent: number; counts: SequenceCounts | undefined }[];
  udpReceiveBufferErrors: number | undefined;
}

/** What {@link buildReport} needs besides the two measure points. */
export interface ReportInput {
  config: ResolvedLoadTestOptions;
  startedAt: string;
  idle: WorkerSample[];
  begin: MeasurePoint;
  end: MeasurePoint;
  streams: LoadTestReport['streams'];
  connectMs: LoadTestReport['connectMs'];
  firstPacketMs: LoadTestReport['firstPacketMs'];
  /** Per generator: its process ID and the clients placed on it. */
  generators: { pid: number; publishers: number; subscribers: number }[];
}

/** Computes the report from the counters at both ends of the window. */
export function buildReport(input: ReportInput): LoadTestReport {
  const { config, begin, end } = input;
  // The SFU's counters and CPU were read by the workers at their own sample times; the replies can reach
  // the parent much later, so the window over which they are rates is the workers' own.
  const generatorSpans = end.generators.map(
    (after, i) => (after.at - (begin.generators[i]?.at ?? after.at)) / 1000,
  );
  const clientWindowSeconds = Math.max(1e-3, mean(generatorSpans));
  const windowSeconds = workerWindowSeconds(begin.workers, end.workers) ?? clientWindowSeconds;
  const cpuMicros = (samples: WorkerSample[]): number =>
    sum(samples.map((w) => w.cpuUserMicros + w.cpuSystemMicros));
  // A worker replaced during the window would make the difference meaningless; report 0 rather than NaN.
  const cpuSeconds = Math.max(0, cpuMicros(end.workers) - cpuMicros(begin.workers)) / 1e6;
  const packetsOut = end.packetsOut - begin.packetsOut;
  const packetsIn = end.packetsIn - begin.packetsIn;
  const windows: TrackWindow[] = end.tracks.map((after, i) => ({
    sentBefore: begin.tracks[i]?.sent ?? 0,
    sentAfter: after.sent,
    before: begin.tracks[i]?.counts,
    after: after.counts,
  }));
  const processes = end.generators.map((after, i) =>
    generatorProcessReport(input.generators[i], begin.generators[i], after),
  );
  const packetsSent = sum(processes.map((p) => p.packetsSent));
  const sentPerSecond = packetsSent / clientWindowSeconds;
  const udpErrors =
    begin.udpReceiveBufferErrors !== undefined && end.udpReceiveBufferErrors !== undefined
      ? end.udpReceiveBufferErrors - begin.udpReceiveBufferErrors
      : null;
  const memoryIdle = memoryOf(input.idle);
  const memoryLoaded = memoryOf(end.workers);
  const rssIdle = memoryIdle.rss;
  const rss = memoryLoaded.rss;
  const generatorCpu = sum(processes.map((p) => p.cpuSeconds));
  const cpu = cpus();
  return {
    config,
    startedAt: input.startedAt,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      node: process.version,
      udpReceiveBufferErrors: udpErrors,
    },
    streams: input.streams,
    server: {
      workers: config.workers,
      windowSeconds: round(windowSeconds, 3),
      cpuSeconds: round(cpuSeconds, 3),
      coresUsed: round(cpuSeconds / windowSeconds, 3),
      packetsIn,
      packetsOut,
      ingressRatio: sentPerSecond > 0 ? round(packetsIn / windowSeconds / sentPerSecond, 4) : 0,
      packetsInPerSecond: round(packetsIn / windowSeconds, 1),
      packetsOutPerSecond: round(packetsOut / windowSeconds, 1),
      packetsOutPerCoreSecond: cpuSeconds > 0 ? Math.round(packetsOut / cpuSeconds) : 0,
      bitrateOutBps: Math.round(((end.bytesOut - begin.bytesOut) * 8) / windowSeconds),
      rssIdleBytes: rssIdle,
      rssBytes: rss,
      rssPerForwardedStreamBytes: Math.round(Math.max(0, rss - rssIdle) / input.streams.forwarded),
      memory: {
        idle: memoryIdle,
        loaded: memoryLoaded,
        perForwardedStream: memoryPerStream(memoryIdle, memoryLoaded, input.streams.forwarded),
      },
    },
    delivery: summarizeDelivery(windows),
    connectMs: input.connectMs,
    firstPacketMs: input.firstPacketMs,
    loadGenerator: {
      generators: processes.length,
      cpuSeconds: round(generatorCpu, 3),
      coresUsed: round(generatorCpu / clientWindowSeconds, 3),
      packetsSent,
      packetsSentPerSecond: round(sentPerSecond, 1),
      eventLoopUtilization: Math.max(0, ...processes.map((p) => p.eventLoopUtilization)),
      eventLoopDelayP99Ms: Math.max(0, ...processes.map((p) => p.eventLoopDelayP99Ms)),
      eventLoopDelayMaxMs: Math.max(0, ...processes.map((p) => p.eventLoopDelayMaxMs)),
      processes,
    },
  };
}

function generatorProcessReport(
  placed: { pid: number; publishers: number; subscribers: number } | undefined,
  before: GeneratorSample | undefined,
  after: GeneratorSample,
): GeneratorProcessReport {
  const start = before ?? after;
  const seconds = Math.max(1e-3, (after.at - start.at) / 1000);
  const cpuSeconds =
    (after.cpuUserMicros + after.cpuSystemMicros - start.cpuUserMicros - start.cpuSystemMicros) / 1e6;
  const active = after.eventLoopActiveMs - start.eventLoopActiveMs;
  const total = active + after.eventLoopIdleMs - start.eventLoopIdleMs;
  const sentBy = (sample: GeneratorSample): number =>
    sum(sample.publishers.map((p) => p.sent.audio + p.sent.video));
  return {
    pid: placed?.pid ?? -1,
    publishers: placed?.publishers ?? 0,
    subscribers: placed?.subscribers ?? 0,
    cpuSeconds: round(cpuSeconds, 3),
    coresUsed: round(cpuSeconds / seconds, 3),
    packetsSent: sentBy(after) - sentBy(start),
    eventLoopUtilization: total > 0 ? round(active / total, 3) : 0,
    eventLoopDelayP99Ms: round(after.eventLoopDelayP99Ms, 1),
    eventLoopDelayMaxMs: round(after.eventLoopDelayMaxMs, 1),
  };
}

/**
 * The measurement window as the workers saw it: the mean over workers of the time between their two
 * samples. Undefined when a worker was replaced in between (its samples do not pair up).
 */
function workerWindowSeconds(
  begin: readonly WorkerSample[],
  end: readonly WorkerSample[],
): number | undefined {
  const spans = end.flatMap((after) => {
    const before = begin.find((w) => w.pid === after.pid);
    return before ? [(after.sampledAt - before.sampledAt) / 1000] : [];
  });
  if (spans.length === 0 || spans.length !== end.length) return undefined;
  return mean(spans);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : sum(values) / values.length;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
