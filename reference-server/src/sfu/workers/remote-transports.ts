/**
 * Parent-side mirrors of a worker's publisher and subscriber transports. Negotiation calls go to the
 * worker; the connection state and candidates come back as events, applied in the order the worker
 * emitted them (a publisher's `producer` events arrive before the answer of the offer that made them).
 */
import { TypedEmitter } from '@parley/events';
import { SfuError } from '../errors.js';
import type {
  Consumer,
  IceCandidate,
  Producer,
  PublisherTransport,
  PublisherTransportEvents,
  SubscriberTransport,
  SubscriberTransportEvents,
  TransportConnectionState,
  TransportEvents,
} from '../types.js';
import type { ProducerInfo, PublisherTransportInfo, SubscriberTransportInfo } from './protocol.js';
import { RemoteConsumer, RemoteProducer } from './remote-media.js';
import type { Mirror, WorkerProcess } from './worker-process.js';

type Internal<E> = E & { '@close': [] };

/** What both mirrors share: state, candidates and the close cascade. */
abstract class RemoteTransport<E extends TransportEvents>
  extends TypedEmitter<Internal<E>>
  implements Mirror
{
  readonly id: string;
  readonly streamId: string;
  protected readonly worker: WorkerProcess;
  #state: TransportConnectionState;
  #closed = false;

  constructor(worker: WorkerProcess, info: PublisherTransportInfo) {
    super();
    this.worker = worker;
    this.id = info.id;
    this.streamId = info.streamId;
    this.#state = info.connectionState;
    worker.register(this.id, this);
  }

  get connectionState(): TransportConnectionState {
    return this.#closed ? 'closed' : this.#state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  addRemoteCandidate(candidate: IceCandidate | null): Promise<void> {
    if (this.#closed) return Promise.reject(this.closedError());
    return this.worker.call(this.id, 'addRemoteCandidate', [candidate]);
  }

  close(): void {
    if (this.#closed) return;
    this.worker.notify(this.id, 'close');
    this.closeMirror();
  }

  /** Engine-internal: the router closed (here or in the worker). */
  routerClosed(): void {
    if (this.#closed) return;
    this.#emit('routerclose');
    this.closeMirror();
  }

  /** Engine-internal: closes the mirror and its children without telling the worker. */
  closeMirror(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.worker.forget(this.id);
    this.closeChildren();
    this.#emit('connectionstatechange', 'closed');
    this.#emit('close');
    this.#emit('@close');
  }

  workerEvent(event: string, args: unknown[]): void {
    if (this.#closed) return;
    switch (event) {
      case 'localcandidate':
        this.#emit('localcandidate', args[0] as IceCandidate);
        return;
      case 'connectionstatechange': {
        const state = args[0] as TransportConnectionState;
        // `closed` is reported by the close that follows it.
        if (state === 'closed' || state === this.#state) return;
        this.#state = state;
        this.#emit('connectionstatechange', state);
        return;
      }
      case 'routerclose':
        this.routerClosed();
        return;
      case 'close':
        this.closeMirror();
        return;
      default:
        this.otherWorkerEvent(event, args);
    }
  }

  /** Closes the producers or consumers (children emit their `transportclose`). */
  protected abstract closeChildren(): void;

  /** Events specific to the transport kind. */
  protected otherWorkerEvent(_event: string, _args: unknown[]): void {}

  protected abstract closedError(): SfuError;

  protected assertOpen(): void {
    if (this.#closed) throw this.closedError();
  }

  /** Emits a shared transport event (the subclass event maps extend {@link TransportEvents}). */
  #emit<K extends keyof TransportEvents | '@close'>(
    event: K,
    ...args: K extends keyof TransportEvents ? TransportEvents[K] : []
  ): void {
    // The subclass event maps extend TransportEvents, which TypeScript cannot see through `this`.
    (this as unknown as { emit(event: string, ...rest: unknown[]): void }).emit(event, ...args);
  }
}

/** A publisher transport living in a worker. */
export class RemotePublisherTransport
  extends RemoteTransport<PublisherTransportEvents>
  implements PublisherTransport
{
  readonly kind = 'publisher' as const;
  readonly #producers = new Map<string, RemoteProducer>();

  get producers(): readonly Producer[] {
    return [...this.#producers.values()];
  }

  /** Engine-internal: a producer of this transport by id. */
  producer(id: string): RemoteProducer | undefined {
    return this.#producers.get(id);
  }

  async handleOffer(sdp: string): Promise<string> {
    this.assertOpen();
    return this.worker.call<string>(this.id, 'handleOffer', [sdp]);
  }

  protected override otherWorkerEvent(event: string, args: unknown[]): void {
    if (event !== 'producer') return;
    const producer = new RemoteProducer(this.worker, args[0] as ProducerInfo);
    this.#producers.set(producer.id, producer);
    producer.on('@close', () => this.#producers.delete(producer.id));
    this.emit('producer', producer);
  }

  protected closeChildren(): void {
    for (const producer of [...this.#producers.values()]) producer.transportClosed();
    this.#producers.clear();
  }

  protected closedError(): SfuError {
    return new SfuError('INVALID_STATE', 'The publisher transport is closed');
  }
}

/** A subscriber transport living in a worker. */
export class RemoteSubscriberTransport
  extends RemoteTransport<SubscriberTransportEvents>
  implements SubscriberTransport
{
  readonly kind = 'subscriber' as const;
  readonly subscriberId: string;
  readonly #consumers = new Map<string, RemoteConsumer>();

  constructor(worker: WorkerProcess, info: SubscriberTransportInfo, producers: readonly RemoteProducer[]) {
    super(worker, info);
    this.subscriberId = info.subscriberId;
    for (const consumerInfo of info.consumers) {
      const producer = producers.find((p) => p.id === consumerInfo.producerId);
      if (!producer)
        throw new SfuError('INTERNAL', `The worker consumed unknown producer ${consumerInfo.producerId}`);
      const consumer = new RemoteConsumer(worker, consumerInfo, producer);
      this.#consumers.set(consumer.id, consumer);
      consumer.on('@close', () => this.#consumers.delete(consumer.id));
    }
  }

  get consumers(): readonly Consumer[] {
    return [...this.#consumers.values()];
  }

  async createOffer(options: { iceRestart?: boolean } = {}): Promise<string> {
    this.assertOpen();
    return this.worker.call<string>(this.id, 'createOffer', [{ iceRestart: options.iceRestart === true }]);
  }

  async handleAnswer(sdp: string): Promise<void> {
    this.assertOpen();
    await this.worker.call(this.id, 'handleAnswer', [sdp]);
  }

  async handleOffer(sdp: string): Promise<string> {
    this.assertOpen();
    return this.worker.call<string>(this.id, 'handleOffer', [sdp]);
  }

  protected closeChildren(): void {
    for (const consumer of [...this.#consumers.values()]) consumer.transportClosed();
    this.#consumers.clear();
  }

  protected closedError(): SfuError {
    return new SfuError('INVALID_STATE', 'The subscriber transport is closed');
  }
}
