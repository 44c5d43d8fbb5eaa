/**
 * Parent-side mirrors of a worker's producers and consumers.
 *
 * The parent is authoritative for pause state (only calls change it), so `pause()` takes effect on the
 * mirror at once and the engine interface stays synchronous; the worker follows. Closing cascades in the
 * mirrors exactly as in the worker (a producer's close closes its consumers), and the worker's own
 * lifecycle events are applied idempotently, so every entity emits `close` once whoever closed first.
 */
import { TypedEmitter } from '@parley/events';
import { SfuError } from '../errors.js';
import type {
  Consumer,
  ConsumerEvents,
  ConsumerStats,
  MediaKind,
  Producer,
  ProducerEvents,
  ProducerStats,
  ProducerTap,
  RtpCodec,
  VideoLayer,
  VideoLayerPreferences,
} from '../types.js';
import type { ConsumerInfo, ProducerInfo } from './protocol.js';
import type { Mirror, WorkerProcess } from './worker-process.js';

type InternalProducerEvents = ProducerEvents & { '@close': [] };

/** A producer living in a worker. */
export class RemoteProducer extends TypedEmitter<InternalProducerEvents> implements Producer, Mirror {
  readonly id: string;
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  readonly streamId: string;
  /** The worker that hosts it (subscriber transports must be on the same one). */
  readonly worker: WorkerProcess;
  #paused: boolean;
  #closed = false;
  #stats: ProducerStats = { packetsIn: 0, bytesIn: 0, keyFrameRequests: 0 };
  /** Taps in this process; the worker sends packets only while there is at least one. */
  readonly #taps = new Set<ProducerTap>();

  constructor(worker: WorkerProcess, info: ProducerInfo) {
    super();
    this.worker = worker;
    this.id = info.id;
    this.kind = info.kind;
    this.codec = info.codec;
    this.streamId = info.streamId;
    this.#paused = info.paused;
    worker.register(this.id, this);
  }

  get paused(): boolean {
    return this.#paused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): ProducerStats {
    return { ...this.#stats };
  }

  pause(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.worker.notify(this.id, 'pause');
    this.emit('pause');
  }

  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.worker.notify(this.id, 'resume');
    this.emit('resume');
  }

  requestKeyFrame(): void {
    if (!this.#closed) this.worker.notify(this.id, 'requestKeyFrame');
  }

  tap(tap: ProducerTap): () => void {
    if (this.#closed) return () => undefined;
    const entry: ProducerTap = (packet) => tap(packet);
    this.#taps.add(entry);
    if (this.#taps.size === 1) this.worker.notify(this.id, 'tap');
    return () => {
      if (!this.#taps.delete(entry) || this.#taps.size > 0 || this.#closed) return;
      this.worker.notify(this.id, 'untap');
    };
  }

  close(): void {
    if (this.#closed) return;
    this.worker.notify(this.id, 'close');
    this.closeMirror();
  }

  /** Engine-internal: the transport closed (here or in the worker). */
  transportClosed(): void {
    if (this.#closed) return;
    this.emit('transportclose');
    this.closeMirror();
  }

  /** Engine-internal: closes the mirror without telling the worker (it closed already, or is gone). */
  closeMirror(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#taps.clear();
    this.worker.forget(this.id);
    this.emit('close');
    this.emit('@close');
  }

  workerEvent(event: string): void {
    if (event === 'transportclose') this.transportClosed();
    else if (event === 'close') this.closeMirror();
  }

  workerStats(stats: ProducerStats | ConsumerStats): void {
    this.#stats = stats as ProducerStats;
  }

  workerRtp(packet: Buffer): void {
    // Packets already in the channel when a pause was decided here are dropped, as the worker would.
    if (this.#closed || this.#paused) return;
    for (const tap of this.#taps) {
      try {
        tap(packet);
      } catch (error) {
        this.emit('listenerError', error, 'tap');
      }
    }
  }
}

type InternalConsumerEvents = ConsumerEvents & { '@close': [] };

/** A consumer living in a worker. */
export class RemoteConsumer extends TypedEmitter<InternalConsumerEvents> implements Consumer, Mirror {
  readonly id: string;
  readonly producerId: string;
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  readonly #worker: WorkerProcess;
  readonly #detach: () => void;
  #paused: boolean;
  #producerPaused: boolean;
  #closed = false;
  /** As the worker last reported it (`layerchange` / `congestion` events). */
  #currentLayer: VideoLayer | null = null;
  #stats: ConsumerStats = {
    packetsOut: 0,
    bytesOut: 0,
    packetsDropped: 0,
    keyFrameRequests: 0,
    packetsRetransmitted: 0,
  };

  constructor(worker: WorkerProcess, info: ConsumerInfo, producer: RemoteProducer) {
    super();
    this.#worker = worker;
    this.id = info.id;
    this.producerId = info.producerId;
    this.kind = info.kind;
    this.codec = info.codec;
    this.#paused = info.paused;
    this.#producerPaused = producer.paused;
    const onPause = (): void => this.#setProducerPaused(true);
    const onResume = (): void => this.#setProducerPaused(false);
    const onClose = (): void => this.#producerClosed();
    producer.on('pause', onPause).on('resume', onResume).on('@close', onClose);
    this.#detach = () => producer.off('pause', onPause).off('resume', onResume).off('@close', onClose);
    worker.register(this.id, this);
  }

  get paused(): boolean {
    return this.#paused;
  }

  get producerPaused(): boolean {
    return this.#producerPaused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): ConsumerStats {
    return { ...this.#stats };
  }

  pause(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.#worker.notify(this.id, 'pause');
    this.emit('pause');
  }

  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#worker.notify(this.id, 'resume');
    this.emit('resume');
  }

  requestKeyFrame(): void {
    if (!this.#closed) this.#worker.notify(this.id, 'requestKeyFrame');
  }

  get currentLayer(): VideoLayer | null {
    return this.#currentLayer;
  }

  setPreferredLayers(preferences: VideoLayerPreferences): void {
    if (typeof preferences !== 'object' || preferences === null) {
      throw new SfuError('INVALID_ARGUMENT', 'preferences must be an object');
    }
    const copy: VideoLayerPreferences = {};
    for (const key of ['maxWidth', 'maxHeight', 'maxFrameRate'] as const) {
      const value = preferences[key];
      if (value === undefined) continue;
      // Checked here too: a bad value must fail the caller, not a call in the worker nobody awaits.
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new SfuError('INVALID_ARGUMENT', `preferences.${key} must be a positive number`);
      }
      copy[key] = value;
    }
    if (!this.#closed) this.#worker.notify(this.id, 'setPreferredLayers', [copy]);
  }

  close(): void {
    if (this.#closed) return;
    this.#worker.notify(this.id, 'close');
    this.closeMirror();
  }

  /** Engine-internal: the transport closed (here or in the worker). */
  transportClosed(): void {
    if (this.#closed) return;
    this.emit('transportclose');
    this.closeMirror();
  }

  /** Engine-internal: closes the mirror without telling the worker. */
  closeMirror(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    this.#worker.forget(this.id);
    this.emit('close');
    this.emit('@close');
  }

  workerEvent(event: string, args: unknown[] = []): void {
    if (event === 'producerclose') this.#producerClosed();
    else if (event === 'transportclose') this.transportClosed();
    else if (event === 'close') this.closeMirror();
    else if (event === 'layerchange' && !this.#closed) {
      this.#currentLayer = args[0] as VideoLayer;
      this.emit('layerchange', this.#currentLayer);
    } else if (event === 'congestion' && !this.#closed) {
      const videoEnabled = args[0] === true;
      if (!videoEnabled) this.#currentLayer = null;
      this.emit('congestion', videoEnabled);
    }
  }

  workerStats(stats: ProducerStats | ConsumerStats): void {
    this.#stats = stats as ConsumerStats;
  }

  #producerClosed(): void {
    if (this.#closed) return;
    this.emit('producerclose');
    this.closeMirror();
  }

  #setProducerPaused(paused: boolean): void {
    if (this.#closed || this.#producerPaused === paused) return;
    this.#producerPaused = paused;
    this.emit(paused ? 'producerpause' : 'producerresume');
  }
}
