/**
 * `runLoadTest`: N publishers × M subscribers of werift clients against the SFU engine, which runs in
 * separate worker processes (the {@link WorkerPoolEngine}) so that its CPU and memory can be measured
 * apart from the load generator's. Everything stays on 127.0.0.1 and the run is bounded in time.
 *
 * The headline figure is forwarded packets per server core-second: RTP packets the SFU sent to
 * subscribers divided by the CPU time (user + system) its workers used in the same window. It does not
 * depend on how busy the machine is, so a load generator that cannot saturate the SFU still measures
 * the SFU's efficiency.
 */
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Producer, PublisherTransport, Router } from '../sfu/types.js';
import { WorkerPoolEngine, type WorkerSample } from '../sfu/workers/pool-engine.js';
import { kindsOf, LoadPublisher, LoadSubscriber } from './clients.js';
import { type DeliverySummary, summarizeDelivery, type TrackWindow } from './delivery.js';
import { udpReceiveBufferErrors } from './machine-counters.js';
import { type LoadTestOptions, type ResolvedLoadTestOptions, resolveLoadTestOptions } from './options.js';
import type { SequenceCounts } from './sequence-tracker.js';
import { type Distribution, distribution, mapConcurrently } from './summary.js';

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
     * generator's event loop figures and the machine's load.
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
    cpuSeconds: number;
    coresUsed: number;
    packetsSent: number;
    packetsSentPerSecond: number;
    /**
     * Share of the window the generator's event loop was busy (0–1). Near 1 the generator, not the SFU,
     * limits the run: its clients pace late and burst, and their sockets overflow.
     */
    eventLoopUtilization: number;
    /** The generator's event-loop delay in the window (p99 and max, ms): how late its clients ran. */
    eventLoopDelayP99Ms: number;
    eventLoopDelayMaxMs: number;
  };
}

interface Session {
  router: Router;
  publisher: LoadPublisher;
  transport: PublisherTransport;
  subscribers: LoadSubscriber[];
  consumers: Consumer[];
}

/** How often publishers send what is due (werift clients cannot pace finer cheaply). */
const PUMP_INTERVAL_MS = 10;

/** Runs one load test. Rejects when a client cannot connect; everything started is closed either way. */
export async function runLoadTest(
  options: LoadTestOptions = {},
  log: (line: string) => void = () => {},
): Promise<LoadTestReport> {
  const config = resolveLoadTestOptions(options);
  const startedAt = new Date().toISOString();
  const engine = new WorkerPoolEngine({
    workers: config.workers,
    listenIps: ['127.0.0.1'],
    ...(config.cpuProfileDir
      ? { workerExecArgv: ['--cpu-prof', `--cpu-prof-dir=${config.cpuProfileDir}`] }
      : {}),
  });
  const sessions: Session[] = [];
  const publishers = new Set<LoadPublisher>();
  /** Every client created, connected or not, so that a failed run still closes them all. */
  const clients = new Set<LoadPublisher | LoadSubscriber>();
  const pump = setInterval(() => {
    const now = performance.now();
    for (const publisher of publishers) publisher.pump(now);
  }, PUMP_INTERVAL_MS);
  try {
    await engine.ready();
    const idle = await engine.sampleWorkers();
    log(
      `${config.workers} SFU worker(s) up; connecting ${config.publishers} × ${config.subscribersPerPublisher}`,
    );

    const publisherConnect: number[] = [];
    const subscriberConnect: number[] = [];
    const subscribeStarted = new Map<LoadSubscriber, number>();
    const indexes = Array.from({ length: config.publishers }, (_, i) => i);
    await mapConcurrently(indexes, config.connectConcurrency, async (index) => {
      const session = await connectPublisher(engine, config, index, publisherConnect, clients);
      sessions.push(session);
      publishers.add(session.publisher);
      const slots = Array.from({ length: config.subscribersPerPublisher }, (_, i) => i);
      await mapConcurrently(slots, config.connectConcurrency, async (slot) => {
        const started = performance.now();
        const subscriber = new LoadSubscriber();
        clients.add(subscriber);
        session.subscribers.push(subscriber);
        subscribeStarted.set(subscriber, started);
        const transport = await session.router.createSubscriberTransport({
          streamId: `stream-${index}`,
          subscriberId: `subscriber-${index}-${slot}`,
          producers: session.transport.producers,
        });
        session.consumers.push(...transport.consumers);
        await transport.handleAnswer(await subscriber.answer(await transport.createOffer()));
        await subscriber.connected(config.connectTimeoutMs).catch((error: unknown) => {
          throw new Error(`subscriber ${slot} of publisher ${index}: ${messageOf(error)}`, { cause: error });
        });
        subscriberConnect.push(performance.now() - started);
      });
    });
    log(`connected; warming up for ${config.warmupSeconds} s`);
    await sleep(config.warmupSeconds * 1000);

    const subscribers = sessions.flatMap((s) => s.subscribers);
    const kinds = kindsOf(config.media);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const begin = await measurePoint(engine, sessions, kinds);
    log(`measuring for ${config.durationSeconds} s`);
    await sleep(config.durationSeconds * 1000);
    const end = await measurePoint(engine, sessions, kinds);
    loopDelay.disable();

    const firstAny: number[] = [];
    const firstVideo: number[] = [];
    for (const subscriber of subscribers) {
      const started = subscribeStarted.get(subscriber) ?? 0;
      const any = subscriber.firstPacketAt();
      const video = subscriber.firstPacketAt('video');
      if (any !== undefined) firstAny.push(any - started);
      if (video !== undefined) firstVideo.push(video - started);
    }
    return buildReport({
      config,
      startedAt,
      idle,
      begin,
      end,
      sessions,
      connectMs: { publisher: distribution(publisherConnect), subscriber: distribution(subscriberConnect) },
      firstPacketMs: { any: distribution(firstAny), video: distribution(firstVideo) },
      loopDelay: {
        p99Ms: loopDelay.percentile(99) / 1e6,
        maxMs: loopDelay.max / 1e6,
      },
    });
  } finally {
    clearInterval(pump);
    publishers.clear();
    await closeEngine(engine, sessions);
    await Promise.all([...clients].map((client) => client.close().catch(() => undefined)));
  }
}

/** How long the workers may take to exit on their own before the pool kills them. */
const WORKER_EXIT_TIMEOUT_MS = 10_000;

/**
 * Closes the engine and waits until its workers have exited on their own: a worker profiled with
 * `--cpu-prof` writes its profile only on a normal exit. (`closeAndWait()` stops each worker a second
 * time, which kills it when the first stop already disconnected it.)
 */
async function closeEngine(engine: WorkerPoolEngine, sessions: readonly Session[]): Promise<void> {
  // Routers first, then a round trip: IPC is ordered, so once the workers answer they have closed
  // everything and sent its events, and disconnecting them leaves nothing to report into a closed
  // channel.
  for (const { router } of sessions) router.close();
  await engine.sampleWorkers().catch(() => undefined);
  engine.close();
  const deadline = performance.now() + WORKER_EXIT_TIMEOUT_MS;
  while (engine.workers.length > 0 && performance.now() < deadline) await sleep(20);
  await engine.closeAndWait();
}

async function connectPublisher(
  engine: WorkerPoolEngine,
  config: ResolvedLoadTestOptions,
  index: number,
  connectTimes: number[],
  clients: Set<LoadPublisher | LoadSubscriber>,
): Promise<Session> {
  const router = await engine.createRouter({ sessionId: `load-session-${index}` });
  const started = performance.now();
  const publisher = new LoadPublisher(config.media, 0x10000 + index * 2);
  clients.add(publisher);
  const transport = await router.createPublisherTransport({ streamId: `stream-${index}` });
  const answer = await transport.handleOffer(await publisher.createOffer());
  await publisher.accept(answer, config.connectTimeoutMs).catch((error: unknown) => {
    throw new Error(`publisher ${index}: ${messageOf(error)}`, { cause: error });
  });
  connectTimes.push(performance.now() - started);
  return { router, publisher, transport, subscribers: [], consumers: [] };
}

interface MeasurePoint {
  at: number;
  workers: WorkerSample[];
  packetsIn: number;
  packetsOut: number;
  bytesOut: number;
  packetsSent: number;
  /** Per subscriber track (every subscriber × every kind, whether or not it ever received anything). */
  tracks: { sent: number; counts: SequenceCounts | undefined }[];
  cpu: NodeJS.CpuUsage;
  eventLoop: EventLoopUtilization;
  udpReceiveBufferErrors: number | undefined;
}

type EventLoopUtilization = ReturnType<typeof performance.eventLoopUtilization>;

async function measurePoint(
  engine: WorkerPoolEngine,
  sessions: readonly Session[],
  kinds: readonly ('audio' | 'video')[],
): Promise<MeasurePoint> {
  // The client side first, all in one tick, at the moment the workers are asked for theirs: their
  // replies may take a while.
  const at = performance.now();
  const packetsSent = sum(sessions.map((s) => s.publisher.packetsSent));
  const tracks = sessions.flatMap(({ publisher, subscribers }) =>
    subscribers.flatMap((subscriber) =>
      kinds.map((kind) => ({
        sent: publisher.packetsSentByKind[kind],
        counts: subscriber.tracks.find((t) => t.kind === kind)?.sequence.counts(),
      })),
    ),
  );
  const cpu = process.cpuUsage();
  const eventLoop = performance.eventLoopUtilization();
  const udpErrors = udpReceiveBufferErrors();
  const workers = await engine.sampleWorkers();
  const producers: Producer[] = sessions.flatMap((s) => [...s.transport.producers]);
  const consumers = sessions.flatMap((s) => s.consumers);
  return {
    at,
    workers,
    packetsIn: sum(producers.map((p) => p.stats.packetsIn)),
    packetsOut: sum(consumers.map((c) => c.stats.packetsOut)),
    bytesOut: sum(consumers.map((c) => c.stats.bytesOut)),
    packetsSent,
    tracks,
    cpu,
    eventLoop,
    udpReceiveBufferErrors: await udpErrors,
  };
}

function buildReport(input: {
  config: ResolvedLoadTestOptions;
  startedAt: string;
  idle: WorkerSample[];
  begin: MeasurePoint;
  end: MeasurePoint;
  sessions: readonly Session[];
  connectMs: LoadTestReport['connectMs'];
  firstPacketMs: LoadTestReport['firstPacketMs'];
  loopDelay: { p99Ms: number; maxMs: number };
}): LoadTestReport {
  const { config, begin, end, sessions } = input;
  // The SFU's counters and CPU were read by the workers at their own sample times; the replies can reach
  // this (busy) process much later, so the window over which they are rates is the workers' own.
  const windowSeconds = workerWindowSeconds(begin.workers, end.workers) ?? (end.at - begin.at) / 1000;
  const clientWindowSeconds = (end.at - begin.at) / 1000;
  const cpuMicros = (samples: WorkerSample[]): number =>
    sum(samples.map((w) => w.cpuUserMicros + w.cpuSystemMicros));
  // A worker replaced during the window would make the difference meaningless; report it as NaN-free 0.
  const cpuSeconds = Math.max(0, cpuMicros(end.workers) - cpuMicros(begin.workers)) / 1e6;
  const packetsOut = end.packetsOut - begin.packetsOut;
  const packetsIn = end.packetsIn - begin.packetsIn;
  const windows: TrackWindow[] = end.tracks.map((after, i) => ({
    sentBefore: begin.tracks[i]?.sent ?? 0,
    sentAfter: after.sent,
    before: begin.tracks[i]?.counts,
    after: after.counts,
  }));
  const packetsSent = end.packetsSent - begin.packetsSent;
  const sentPerSecond = packetsSent / clientWindowSeconds;
  const udpErrors =
    begin.udpReceiveBufferErrors !== undefined && end.udpReceiveBufferErrors !== undefined
      ? end.udpReceiveBufferErrors - begin.udpReceiveBufferErrors
      : null;
  const rssIdle = sum(input.idle.map((w) => w.rss));
  const rss = sum(end.workers.map((w) => w.rss));
  const forwarded = config.publishers * config.subscribersPerPublisher;
  const loadCpu = (end.cpu.user + end.cpu.system - begin.cpu.user - begin.cpu.system) / 1e6;
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
    streams: {
      sessions: sessions.length,
      publishers: sessions.length,
      subscribers: sum(sessions.map((s) => s.subscribers.length)),
      forwarded,
      consumers: sum(sessions.map((s) => s.consumers.length)),
    },
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
      rssPerForwardedStreamBytes: Math.round(Math.max(0, rss - rssIdle) / forwarded),
    },
    delivery: summarizeDelivery(windows),
    connectMs: input.connectMs,
    firstPacketMs: input.firstPacketMs,
    loadGenerator: {
      cpuSeconds: round(loadCpu, 3),
      coresUsed: round(loadCpu / clientWindowSeconds, 3),
      packetsSent,
      packetsSentPerSecond: round(sentPerSecond, 1),
      eventLoopUtilization: round(
        performance.eventLoopUtilization(end.eventLoop, begin.eventLoop).utilization,
        3,
      ),
      eventLoopDelayP99Ms: round(input.loopDelay.p99Ms, 1),
      eventLoopDelayMaxMs: round(input.loopDelay.maxMs, 1),
    },
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
  return sum(spans) / spans.length;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
