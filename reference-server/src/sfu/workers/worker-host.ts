/**
 * The worker side of the pool protocol: serves calls against one in-process engine and reports the
 * events and counters of its entities. Independent of the process plumbing (`worker-main.ts` connects it
 * to the IPC channel), so it can be tested in one process.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { SfuError } from '../errors.js';
import type {
  Consumer,
  Producer,
  PublisherTransport,
  Router,
  SfuEngine,
  SubscriberTransport,
  VideoLayerPreferences,
} from '../types.js';
import {
  type CallMessage,
  type ConsumerInfo,
  ENGINE_TARGET,
  type ProducerInfo,
  type PublisherTransportInfo,
  type ResultMessage,
  type RouterInfo,
  type SubscriberTransportInfo,
  type SubscriberTransportRequest,
  type WorkerMemory,
  type WorkerMessage,
  type WorkerStatsMessage,
} from './protocol.js';
import { RtpBatcher } from './rtp-batch.js';

type Entity =
  | { kind: 'router'; value: Router }
  | { kind: 'publisher'; value: PublisherTransport }
  | { kind: 'subscriber'; value: SubscriberTransport }
  | { kind: 'producer'; value: Producer }
  | { kind: 'consumer'; value: Consumer };

/** Events forwarded to the parent, per entity kind. Pause and resume are not: the parent drives them. */
const FORWARDED = {
  router: ['close'],
  publisher: ['localcandidate', 'connectionstatechange', 'routerclose', 'close'],
  subscriber: ['localcandidate', 'connectionstatechange', 'routerclose', 'close'],
  producer: ['transportclose', 'close'],
  consumer: ['producerclose', 'transportclose', 'layerchange', 'congestion', 'close'],
} as const;

/** Serves the pool protocol for one engine. */
export class WorkerHost {
  readonly #engine: SfuEngine;
  readonly #send: (message: WorkerMessage) => void;
  readonly #entities = new Map<string, Entity>();
  /** The producers the parent taps, with the function that removes this host's tap. */
  readonly #taps = new Map<string, () => void>();
  readonly #rtp: RtpBatcher;

  constructor(engine: SfuEngine, send: (message: WorkerMessage) => void) {
    this.#engine = engine;
    this.#send = send;
    this.#rtp = new RtpBatcher(send);
  }

  /** Runs one call and sends its result. Never throws: failures travel back as error results. */
  async handle(message: CallMessage): Promise<void> {
    let result: ResultMessage;
    try {
      const value = await this.#dispatch(message);
      result = { type: 'result', id: message.id, ok: true, value };
    } catch (error) {
      const code = error instanceof SfuError ? error.code : 'INTERNAL';
      const text = error instanceof Error ? error.message : String(error);
      result = { type: 'result', id: message.id, ok: false, error: { code, message: text } };
    }
    this.#send(result);
  }

  /** The usage and counters the parent mirrors. */
  stats(): WorkerStatsMessage {
    const cpu = process.cpuUsage();
    const producers: WorkerStatsMessage['producers'] = {};
    const consumers: WorkerStatsMessage['consumers'] = {};
    let routers = 0;
    let transports = 0;
    for (const [id, entity] of this.#entities) {
      if (entity.kind === 'producer') producers[id] = entity.value.stats;
      else if (entity.kind === 'consumer') consumers[id] = entity.value.stats;
      else if (entity.kind === 'router') routers++;
      else transports++;
    }
    return {
      type: 'stats',
      usage: {
        cpuUserMicros: cpu.user,
        cpuSystemMicros: cpu.system,
        sampledAt: performance.timeOrigin + performance.now(),
        ...memoryUsage(),
        routers,
        transports,
        consumers: Object.keys(consumers).length,
      },
      producers,
      consumers,
    };
  }

  async #dispatch({ target, method, args }: CallMessage): Promise<unknown> {
    if (target === ENGINE_TARGET) {
      if (method === 'createRouter') return this.#createRouter(args[0] as string);
      if (method === 'stats') return this.stats();
      throw new SfuError('INVALID_ARGUMENT', `The engine has no method ${method}`);
    }
    const entity = this.#entities.get(target);
    if (!entity) throw new SfuError('INVALID_STATE', `No open entity ${target} in this worker`);
    switch (entity.kind) {
      case 'router':
        if (method === 'createPublisherTransport')
          return this.#createPublisher(entity.value, args[0] as string);
        if (method === 'createSubscriberTransport') {
          return this.#createSubscriber(entity.value, args[0] as SubscriberTransportRequest);
        }
        break;
      case 'publisher':
        if (method === 'handleOffer') return entity.value.handleOffer(args[0] as string);
        if (method === 'addRemoteCandidate') return entity.value.addRemoteCandidate(args[0] as never);
        break;
      case 'subscriber':
        if (method === 'createOffer') return entity.value.createOffer(args[0] as { iceRestart?: boolean });
        if (method === 'handleAnswer') return entity.value.handleAnswer(args[0] as string);
        if (method === 'handleOffer') return entity.value.handleOffer(args[0] as string);
        if (method === 'addRemoteCandidate') return entity.value.addRemoteCandidate(args[0] as never);
        break;
      case 'producer':
        if (method === 'tap' || method === 'untap') {
          this.#setTapped(entity.value, method === 'tap');
          return undefined;
        }
        if (method === 'pause' || method === 'resume' || method === 'requestKeyFrame') {
          entity.value[method]();
          return undefined;
        }
        break;
      case 'consumer':
        if (method === 'pause' || method === 'resume' || method === 'requestKeyFrame') {
          entity.value[method]();
          return undefined;
        }
        if (method === 'setPreferredLayers') {
          entity.value.setPreferredLayers(args[0] as VideoLayerPreferences);
          return undefined;
        }
        break;
    }
    if (method === 'close') {
      entity.value.close();
      return undefined;
    }
    throw new SfuError('INVALID_ARGUMENT', `A ${entity.kind} has no method ${method}`);
  }

  async #createRouter(sessionId: string): Promise<RouterInfo> {
    const router = await this.#engine.createRouter({ sessionId });
    this.#register({ kind: 'router', value: router });
    return { id: router.id, sessionId: router.sessionId };
  }

  async #createPublisher(router: Router, streamId: string): Promise<PublisherTransportInfo> {
    const transport = await router.createPublisherTransport({ streamId });
    this.#register({ kind: 'publisher', value: transport });
    transport.on('producer', (producer) => {
      this.#register({ kind: 'producer', value: producer });
      this.#send({ type: 'event', target: transport.id, event: 'producer', args: [producerInfo(producer)] });
    });
    return { id: transport.id, streamId, connectionState: transport.connectionState };
  }

  async #createSubscriber(
    router: Router,
    request: SubscriberTransportRequest,
  ): Promise<SubscriberTransportInfo> {
    const producers = request.producerIds.map((id, index) => {
      const entity = this.#entities.get(id);
      if (entity?.kind !== 'producer') throw new SfuError('INVALID_STATE', `producers[${index}] is closed`);
      return entity.value;
    });
    const transport = await router.createSubscriberTransport({
      streamId: request.streamId,
      subscriberId: request.subscriberId,
      producers,
      ...(request.preferences ? { preferences: request.preferences } : {}),
    });
    this.#register({ kind: 'subscriber', value: transport });
    for (const consumer of transport.consumers) this.#register({ kind: 'consumer', value: consumer });
    return {
      id: transport.id,
      streamId: transport.streamId,
      subscriberId: transport.subscriberId,
      connectionState: transport.connectionState,
      consumers: transport.consumers.map(consumerInfo),
    };
  }

  /**
   * Starts or stops sending a producer's packets to the parent. One tap per producer whatever the number
   * of taps in the parent (the parent fans out), so each packet crosses the channel once.
   */
  #setTapped(producer: Producer, tapped: boolean): void {
    const { id } = producer;
    if (tapped && !this.#taps.has(id)) {
      this.#taps.set(
        id,
        producer.tap((packet) => this.#rtp.push(id, packet)),
      );
    } else if (!tapped) {
      this.#taps.get(id)?.();
      this.#taps.delete(id);
    }
  }

  /** Tracks an entity until it closes and forwards its lifecycle events. */
  #register(entity: Entity): void {
    const { id } = entity.value;
    this.#entities.set(id, entity);
    // The entity types differ in their event maps; each name in FORWARDED is an event of its kind.
    const source = entity.value as unknown as {
      on(event: string, listener: (...args: unknown[]) => void): unknown;
    };
    for (const event of FORWARDED[entity.kind]) {
      source.on(event, (...args: unknown[]) => {
        if (event === 'close') {
          this.#entities.delete(id);
          this.#taps.delete(id);
        }
        this.#send({ type: 'event', target: id, event, args });
      });
    }
  }
}

/** RSS and its breakdown: one `process.memoryUsage()` and one heap-space read (a few µs together). */
function memoryUsage(): { rss: number; memory: WorkerMemory } {
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return {
    rss,
    memory: { heapTotal, heapUsed, youngGeneration: young?.space_size ?? 0, external, arrayBuffers },
  };
}

function producerInfo(producer: Producer): ProducerInfo {
  const { id, kind, codec, streamId, paused } = producer;
  return { id, kind, codec, streamId, paused };
}

function consumerInfo(consumer: Consumer): ConsumerInfo {
  const { id, producerId, kind, codec, paused, producerPaused } = consumer;
  return { id, producerId, kind, codec, paused, producerPaused };
}
