/**
 * A werift router: the media of one routed session, owning its publisher and subscriber transports.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import { SfuError } from '../errors.js';
import type { ResolvedSfuEngineOptions } from '../options.js';
import type {
  PublisherTransport,
  PublisherTransportOptions,
  Router,
  RouterEvents,
  SubscriberTransport,
  SubscriberTransportOptions,
} from '../types.js';
import { WeriftProducer } from './producer.js';
import { WeriftPublisherTransport } from './publisher-transport.js';
import { WeriftSubscriberTransport } from './subscriber-transport.js';

type InternalRouterEvents = RouterEvents & { '@close': [] };

/** What the router needs of the transports it owns. */
interface OwnedTransport {
  readonly id: string;
  routerClosed(): void;
  once(event: '@close', listener: () => void): unknown;
}

/** A werift router. */
export class WeriftRouter extends TypedEmitter<InternalRouterEvents> implements Router {
  readonly id = randomUUID();
  readonly sessionId: string;
  readonly #options: ResolvedSfuEngineOptions;
  readonly #transports = new Map<string, OwnedTransport>();
  #closed = false;

  constructor(sessionId: string, options: ResolvedSfuEngineOptions) {
    super();
    this.sessionId = sessionId;
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** How many transports are open (for placement and metrics). */
  get transportCount(): number {
    return this.#transports.size;
  }

  async createPublisherTransport({ streamId }: PublisherTransportOptions): Promise<PublisherTransport> {
    this.#assertOpen();
    requireId(streamId, 'streamId');
    return this.#track(new WeriftPublisherTransport(streamId, this.#options));
  }

  async createSubscriberTransport(options: SubscriberTransportOptions): Promise<SubscriberTransport> {
    this.#assertOpen();
    const { streamId, subscriberId, producers, preferences = {} } = options;
    requireId(streamId, 'streamId');
    requireId(subscriberId, 'subscriberId');
    if (!Array.isArray(producers) || producers.length === 0) {
      throw new SfuError('INVALID_ARGUMENT', 'producers must be a non-empty array');
    }
    const kinds = new Set<string>();
    const owned: WeriftProducer[] = [];
    for (const [index, producer] of producers.entries()) {
      if (!(producer instanceof WeriftProducer)) {
        throw new SfuError('INVALID_ARGUMENT', `producers[${index}] is not a producer of this engine`);
      }
      if (producer.closed) throw new SfuError('INVALID_STATE', `producers[${index}] is closed`);
      if (kinds.has(producer.kind)) {
        throw new SfuError('INVALID_ARGUMENT', `producers has more than one ${producer.kind} producer`);
      }
      kinds.add(producer.kind);
      owned.push(producer);
    }
    for (const key of ['audio', 'video'] as const) {
      const value = preferences[key];
      if (value !== undefined && typeof value !== 'boolean') {
        throw new SfuError('INVALID_ARGUMENT', `preferences.${key} must be a boolean`);
      }
    }
    return this.#track(
      new WeriftSubscriberTransport(this.#options, { streamId, subscriberId, producers: owned, preferences }),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports.values()) transport.routerClosed();
    this.#transports.clear();
    this.emit('close');
    this.emit('@close');
  }

  #track<T extends OwnedTransport>(transport: T): T {
    this.#transports.set(transport.id, transport);
    transport.once('@close', () => this.#transports.delete(transport.id));
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
