/**
 * The parent-side mirror of a router living in a worker. When the worker dies the router emits
 * `workerclose`, then closes with its whole tree (transports emit `routerclose`, producers and consumers
 * `transportclose`), so the gateway ends exactly that session's streams.
 */
import { TypedEmitter } from '@parley/events';
import { SfuError } from '../errors.js';
import type {
  PublisherTransport,
  PublisherTransportOptions,
  Router,
  RouterEvents,
  SubscriberTransport,
  SubscriberTransportOptions,
} from '../types.js';
import type { PublisherTransportInfo, RouterInfo, SubscriberTransportInfo } from './protocol.js';
import { RemoteProducer } from './remote-media.js';
import { RemotePublisherTransport, RemoteSubscriberTransport } from './remote-transports.js';
import type { Mirror, WorkerProcess } from './worker-process.js';

type InternalRouterEvents = RouterEvents & { '@close': [] };

/** A router living in a worker. */
export class RemoteRouter extends TypedEmitter<InternalRouterEvents> implements Router, Mirror {
  readonly id: string;
  readonly sessionId: string;
  /** The worker hosting the session. */
  readonly worker: WorkerProcess;
  readonly #transports = new Map<string, RemotePublisherTransport | RemoteSubscriberTransport>();
  #closed = false;

  constructor(worker: WorkerProcess, info: RouterInfo) {
    super();
    this.worker = worker;
    this.id = info.id;
    this.sessionId = info.sessionId;
    worker.register(this.id, this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async createPublisherTransport({ streamId }: PublisherTransportOptions): Promise<PublisherTransport> {
    this.#assertOpen();
    requireId(streamId, 'streamId');
    const info = await this.worker.call<PublisherTransportInfo>(this.id, 'createPublisherTransport', [
      streamId,
    ]);
    return this.#track(new RemotePublisherTransport(this.worker, info));
  }

  async createSubscriberTransport(options: SubscriberTransportOptions): Promise<SubscriberTransport> {
    this.#assertOpen();
    const { streamId, subscriberId, producers, preferences } = options;
    requireId(streamId, 'streamId');
    requireId(subscriberId, 'subscriberId');
    if (!Array.isArray(producers) || producers.length === 0) {
      throw new SfuError('INVALID_ARGUMENT', 'producers must be a non-empty array');
    }
    const owned = producers.map((producer, index) => {
      if (!(producer instanceof RemoteProducer) || producer.worker !== this.worker) {
        throw new SfuError(
          'INVALID_ARGUMENT',
          `producers[${index}] is not a producer of this router's worker`,
        );
      }
      if (producer.closed) throw new SfuError('INVALID_STATE', `producers[${index}] is closed`);
      return producer;
    });
    const info = await this.worker.call<SubscriberTransportInfo>(this.id, 'createSubscriberTransport', [
      {
        streamId,
        subscriberId,
        producerIds: owned.map((p) => p.id),
        ...(preferences ? { preferences: { ...preferences } } : {}),
      },
    ]);
    return this.#track(new RemoteSubscriberTransport(this.worker, info, owned));
  }

  close(): void {
    if (this.#closed) return;
    this.worker.notify(this.id, 'close');
    this.#closeMirror();
  }

  /** Engine-internal: the worker died; the session's media is gone. */
  workerClosed(): void {
    if (this.#closed) return;
    this.emit('workerclose');
    this.#closeMirror();
  }

  workerEvent(event: string): void {
    if (event === 'close') this.#closeMirror();
  }

  #closeMirror(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.worker.forget(this.id);
    for (const transport of [...this.#transports.values()]) transport.routerClosed();
    this.#transports.clear();
    this.emit('close');
    this.emit('@close');
  }

  #track<T extends RemotePublisherTransport | RemoteSubscriberTransport>(transport: T): T {
    if (this.#closed) {
      // The router closed while the worker was creating the transport.
      transport.close();
      throw new SfuError('INVALID_STATE', `The router of session ${this.sessionId} is closed`);
    }
    this.#transports.set(transport.id, transport);
    const closable = transport as { once(event: '@close', listener: () => void): unknown };
    closable.once('@close', () => this.#transports.delete(transport.id));
    return transport;
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new SfuError('INVALID_STATE', `The router of session ${this.sessionId} is closed`);
  }
}

function requireId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new SfuError('INVALID_ARGUMENT', `${field} must be a non-empty string`);
  }
}
