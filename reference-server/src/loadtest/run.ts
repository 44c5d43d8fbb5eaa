/**
 * `runLoadTest`: N publishers × M subscribers of werift clients against the SFU engine. The SFU runs in
 * worker processes (the {@link WorkerPoolEngine}) and the clients in separate load-generator processes
 * (`generator/`), so that neither the SFU's CPU nor the clients' pacing is disturbed by the other, and no
 * single generator event loop saturates. This process only drives the signaling (through the engine
 * API) and reads the counters. Everything stays on 127.0.0.1 and the run is bounded in time.
 *
 * The headline figure is forwarded packets per server core-second: RTP packets the SFU sent to
 * subscribers divided by the CPU time (user + system) its workers used in the same window. It does not
 * depend on how busy the machine is, so a load generator that cannot saturate the SFU still measures
 * the SFU's efficiency.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { selectDatapath } from '../sfu/native/datapath.js';
import type { Consumer, PublisherTransport, Router } from '../sfu/types.js';
import { WorkerPoolEngine } from '../sfu/workers/pool-engine.js';
import { kindsOf } from './clients.js';
import { GeneratorProcess } from './generator/generator-process.js';
import type { GeneratorSample } from './generator/protocol.js';
import { udpReceiveBufferErrors } from './machine-counters.js';
import { type LoadTestOptions, type ResolvedLoadTestOptions, resolveLoadTestOptions } from './options.js';
import { buildReport, type LoadTestReport, type MeasurePoint } from './report.js';
import { distribution, mapConcurrently } from './summary.js';

export type { GeneratorProcessReport, LoadTestReport } from './report.js';

/** One publisher's session: the SFU side and where its clients run. */
interface Session {
  index: number;
  router: Router;
  transport: PublisherTransport;
  /** The generator holding the publisher and all its subscribers (so that one tick reads them all). */
  generator: GeneratorProcess;
  subscriberIds: number[];
  consumers: Consumer[];
}

/** Runs one load test. Rejects when a client cannot connect; everything started is closed either way. */
export async function runLoadTest(
  options: LoadTestOptions = {},
  log: (line: string) => void = () => {},
): Promise<LoadTestReport> {
  const resolved = resolveLoadTestOptions(options);
  // The report names the datapath that ran, not `auto` (the workers run on this machine's build).
  const config = {
    ...resolved,
    datapath: selectDatapath(resolved.datapath) === undefined ? 'javascript' : 'native',
  } as const;
  const startedAt = new Date().toISOString();
  const profileArgv = config.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${config.cpuProfileDir}`] : [];
  const engine = new WorkerPoolEngine({
    workers: config.workers,
    listenIps: ['127.0.0.1'],
    datapath: config.datapath,
    sharedPort: config.sharedPort,
    workerExecArgv: [...profileArgv, ...config.workerExecArgv],
  });
  const generators = Array.from({ length: config.generators }, (_, i) =>
    GeneratorProcess.start(i, profileArgv),
  );
  const sessions: Session[] = [];
  try {
    await engine.ready();
    const idle = await engine.sampleWorkers();
    log(
      `${config.workers} SFU worker(s) and ${config.generators} load generator(s) up; connecting ` +
        `${config.publishers} × ${config.subscribersPerPublisher}`,
    );

    const publisherConnect: number[] = [];
    const subscriberConnect: number[] = [];
    /** Epoch ms of each subscriber's subscribe request, by subscriber ID. */
    const subscribeStarted = new Map<number, number>();
    const indexes = Array.from({ length: config.publishers }, (_, i) => i);
    await mapConcurrently(indexes, config.connectConcurrency, async (index) => {
      const session = await connectPublisher(
        engine,
        config,
        index,
        leastLoaded(generators),
        publisherConnect,
      );
      sessions.push(session);
      const slots = Array.from({ length: config.subscribersPerPublisher }, (_, i) => i);
      await mapConcurrently(slots, config.connectConcurrency, async (slot) => {
        const id = index * config.subscribersPerPublisher + slot;
        const started = performance.now();
        subscribeStarted.set(id, performance.timeOrigin + started);
        session.subscriberIds.push(id);
        const transport = await session.router.createSubscriberTransport({
          streamId: `stream-${index}`,
          subscriberId: `subscriber-${index}-${slot}`,
          producers: session.transport.producers,
        });
        session.consumers.push(...transport.consumers);
        const { answer } = await session.generator.call('subscribe', {
          id,
          offer: await transport.createOffer(),
        });
        await transport.handleAnswer(answer);
        await session.generator
          .call('connected', { id, timeoutMs: config.connectTimeoutMs })
          .catch((error: unknown) => {
            throw new Error(`subscriber ${slot} of publisher ${index}: ${messageOf(error)}`, {
              cause: error,
            });
          });
        subscriberConnect.push(performance.now() - started);
      });
    });
    log(`connected; warming up for ${config.warmupSeconds} s`);
    await sleep(config.warmupSeconds * 1000);

    const begin = await measurePoint(engine, generators, sessions, config);
    log(`measuring for ${config.durationSeconds} s`);
    await sleep(config.durationSeconds * 1000);
    const end = await measurePoint(engine, generators, sessions, config);

    const firstAny: number[] = [];
    const firstVideo: number[] = [];
    for (const sample of end.generators) {
      for (const { id, firstPacketAt } of sample.subscribers) {
        const started = subscribeStarted.get(id) ?? 0;
        if (firstPacketAt.any !== undefined) firstAny.push(firstPacketAt.any - started);
        if (firstPacketAt.video !== undefined) firstVideo.push(firstPacketAt.video - started);
      }
    }
    const subscribers = sessions.reduce((n, s) => n + s.subscriberIds.length, 0);
    return buildReport({
      config,
      startedAt,
      idle,
      begin,
      end,
      streams: {
        sessions: sessions.length,
        publishers: sessions.length,
        subscribers,
        forwarded: config.publishers * config.subscribersPerPublisher,
        consumers: sessions.reduce((n, s) => n + s.consumers.length, 0),
      },
      connectMs: { publisher: distribution(publisherConnect), subscriber: distribution(subscriberConnect) },
      firstPacketMs: { any: distribution(firstAny), video: distribution(firstVideo) },
      generators: generators.map((generator) => {
        const own = sessions.filter((s) => s.generator === generator);
        return {
          pid: generator.pid,
          publishers: own.length,
          subscribers: own.reduce((n, s) => n + s.subscriberIds.length, 0),
        };
      }),
    });
  } finally {
    await Promise.all([closeEngine(engine, sessions), ...generators.map((g) => g.stop())]);
  }
}

/** The generator with the fewest clients; the caller places a whole session on it. */
function leastLoaded(generators: readonly GeneratorProcess[]): GeneratorProcess {
  let best = generators[0];
  if (!best) throw new Error('no load generator');
  for (const generator of generators) if (generator.clients < best.clients) best = generator;
  return best;
}

/** How long the workers may take to exit on their own before the pool kills them. */
const WORKER_EXIT_TIMEOUT_MS = 10_000;

/**
 * Closes the engine and waits until its workers have exited on their own: a worker profiled with
 * `--cpu-prof` writes its profile only on a normal exit.
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
  generator: GeneratorProcess,
  connectTimes: number[],
): Promise<Session> {
  // Counted before the first await, so that sessions connecting concurrently spread over the generators.
  generator.clients += 1 + config.subscribersPerPublisher;
  const router = await engine.createRouter({ sessionId: `load-session-${index}` });
  const started = performance.now();
  const { offer } = await generator.call('publish', {
    id: index,
    media: config.media,
    ssrcBase: 0x10000 + index * 2,
  });
  const transport = await router.createPublisherTransport({ streamId: `stream-${index}` });
  const answer = await transport.handleOffer(offer);
  await generator
    .call('accept', { id: index, answer, timeoutMs: config.connectTimeoutMs })
    .catch((error: unknown) => {
      throw new Error(`publisher ${index}: ${messageOf(error)}`, { cause: error });
    });
  connectTimes.push(performance.now() - started);
  return { index, router, transport, generator, subscriberIds: [], consumers: [] };
}

async function measurePoint(
  engine: WorkerPoolEngine,
  generators: readonly GeneratorProcess[],
  sessions: readonly Session[],
  config: ResolvedLoadTestOptions,
): Promise<MeasurePoint> {
  // Clients and workers are asked at the same moment; each generator reads a publisher and its
  // subscribers in one tick, so every track's "sent" and "received" pair up.
  const udpErrors = udpReceiveBufferErrors();
  const [workers, ...samples] = await Promise.all([
    engine.sampleWorkers(),
    ...generators.map((g) => g.call('sample', { resetDelay: true })),
  ]);
  const byGenerator = new Map<GeneratorProcess, GeneratorSample>();
  for (const [i, generator] of generators.entries()) {
    const sample = samples[i];
    if (sample) byGenerator.set(generator, sample);
  }
  const kinds = kindsOf(config.media);
  const tracks = sessions.flatMap(({ index, generator, subscriberIds }) => {
    const sample = byGenerator.get(generator);
    const sent = sample?.publishers.find((p) => p.id === index)?.sent;
    return subscriberIds.flatMap((id) => {
      const subscriber = sample?.subscribers.find((s) => s.id === id);
      return kinds.map((kind) => ({ sent: sent?.[kind] ?? 0, counts: subscriber?.tracks[kind] }));
    });
  });
  const producers = sessions.flatMap((s) => [...s.transport.producers]);
  const consumers = sessions.flatMap((s) => s.consumers);
  return {
    workers,
    packetsIn: sum(producers.map((p) => p.stats.packetsIn)),
    packetsOut: sum(consumers.map((c) => c.stats.packetsOut)),
    bytesOut: sum(consumers.map((c) => c.stats.bytesOut)),
    generators: samples,
    tracks,
    udpReceiveBufferErrors: await udpErrors,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
