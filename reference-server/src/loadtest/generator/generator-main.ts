/**
 * Entry point of a media-generator process (forked by {@link GeneratorProcess}): holds werift
 * publishers and subscribers, paces the publishers, and answers the parent's commands over IPC. It
 * exits when the parent disconnects or dies (the IPC channel closes with it), so no generator outlives
 * its load test.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LoadPublisher, LoadSubscriber } from '../clients.js';
import type {
  GeneratorCommand,
  GeneratorCommands,
  GeneratorReply,
  GeneratorRequest,
  GeneratorSample,
  SubscriberSample,
} from './protocol.js';

/** How often publishers send what is due (werift clients cannot pace finer cheaply). */
const PUMP_INTERVAL_MS = 10;

const publishers = new Map<number, LoadPublisher>();
/** Publishers connected and being paced. */
const pacing = new Set<LoadPublisher>();
const subscribers = new Map<number, LoadSubscriber>();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const pump = setInterval(() => {
  const now = performance.now();
  for (const publisher of pacing) publisher.pump(now);
}, PUMP_INTERVAL_MS);

function client<T>(clients: Map<number, T>, id: number, what: string): T {
  const found = clients.get(id);
  if (!found) throw new Error(`no ${what} ${id} in this generator`);
  return found;
}

const toEpoch = (now: number | undefined): number | undefined =>
  now === undefined ? undefined : performance.timeOrigin + now;

function sample(resetDelay: boolean): GeneratorSample {
  // Every client in one tick, so that each subscriber's counts pair with its publisher's.
  const at = performance.timeOrigin + performance.now();
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const subscriberSamples: SubscriberSample[] = [...subscribers].map(([id, subscriber]) => {
    const tracks: SubscriberSample['tracks'] = {};
    for (const track of subscriber.tracks) tracks[track.kind] ??= track.sequence.counts();
    const firstPacketAt: SubscriberSample['firstPacketAt'] = {};
    const any = toEpoch(subscriber.firstPacketAt());
    const video = toEpoch(subscriber.firstPacketAt('video'));
    if (any !== undefined) firstPacketAt.any = any;
    if (video !== undefined) firstPacketAt.video = video;
    return { id, tracks, firstPacketAt };
  });
  const result: GeneratorSample = {
    at,
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    eventLoopIdleMs: loop.idle,
    eventLoopActiveMs: loop.active,
    // The histogram is in nanoseconds; it is empty (max 0, percentiles NaN-free 0) before any delay.
    eventLoopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0,
    eventLoopDelayMaxMs: loopDelay.count > 0 ? loopDelay.max / 1e6 : 0,
    publishers: [...publishers].map(([id, p]) => ({ id, sent: { ...p.packetsSentByKind } })),
    subscribers: subscriberSamples,
  };
  if (resetDelay) loopDelay.reset();
  return result;
}

async function closeAll(): Promise<null> {
  pacing.clear();
  const all = [...publishers.values(), ...subscribers.values()];
  publishers.clear();
  subscribers.clear();
  await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  return null;
}

async function run(request: GeneratorRequest): Promise<GeneratorCommands[GeneratorCommand]['result']> {
  switch (request.command) {
    case 'publish': {
      const { id, media, ssrcBase } = (request as GeneratorRequest<'publish'>).args;
      if (publishers.has(id)) throw new Error(`publisher ${id} already exists`);
      const publisher = new LoadPublisher(media, ssrcBase);
      publishers.set(id, publisher);
      return { offer: await publisher.createOffer() };
    }
    case 'accept': {
      const { id, answer, timeoutMs } = (request as GeneratorRequest<'accept'>).args;
      const publisher = client(publishers, id, 'publisher');
      await publisher.accept(answer, timeoutMs);
      pacing.add(publisher);
      return null;
    }
    case 'subscribe': {
      const { id, offer } = (request as GeneratorRequest<'subscribe'>).args;
      if (subscribers.has(id)) throw new Error(`subscriber ${id} already exists`);
      const subscriber = new LoadSubscriber();
      subscribers.set(id, subscriber);
      return { answer: await subscriber.answer(offer) };
    }
    case 'connected': {
      const { id, timeoutMs } = (request as GeneratorRequest<'connected'>).args;
      await client(subscribers, id, 'subscriber').connected(timeoutMs);
      return null;
    }
    case 'sample':
      return sample((request as GeneratorRequest<'sample'>).args.resetDelay);
    case 'close':
      return closeAll();
  }
}

process.on('message', (request: GeneratorRequest) => {
  run(request).then(
    (result) => reply({ id: request.id, ok: true, result }),
    (error: unknown) =>
      reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});

// The parent closed the channel (it stopped this generator, or it died): close the clients and leave.
process.on('disconnect', () => {
  clearInterval(pump);
  const exit = (): never => process.exit(0);
  // Bounded: a close that hangs must not keep an orphan alive.
  setTimeout(exit, 2_000).unref();
  void closeAll().then(exit, exit);
});

function reply(message: GeneratorReply): void {
  if (process.connected) process.send?.(message);
}
