/**
 * The streams of one live session, and the stream IDs that ended recently. Kept apart from the session
 * so the bookkeeping rules (unique stream and subscriber IDs, the bounded memory of ended streams that
 * lets a late delete of an ended stream succeed) sit in one small place, away from the event fan-out.
 */
import { SignalingError } from '../errors.js';
import type { LiveStream } from './types.js';

/** How many ended stream IDs a session remembers (oldest forgotten first). */
const ENDED_STREAMS_REMEMBERED = 1000;

/** The streams of one live session, in publish order. */
export class StreamRegistry {
  readonly #streams = new Map<string, LiveStream>();
  /** Recently ended stream IDs, so a late delete of an ended stream is not an error. */
  readonly #ended = new Set<string>();

  /** The stream with this ID. */
  get(id: string): LiveStream | undefined {
    return this.#streams.get(id);
  }

  /** Every stream, announced or not, in publish order. */
  all(): LiveStream[] {
    return [...this.#streams.values()];
  }

  /** The streams announced to the clients, in publish order. */
  announced(): LiveStream[] {
    return this.all().filter((s) => s.announced);
  }

  /** The live streams themselves, for iteration without a copy. */
  values(): IterableIterator<LiveStream> {
    return this.#streams.values();
  }

  /** Adds a stream (not yet announced). Throws `ID_TAKEN` for a used ID. */
  add(stream: LiveStream): void {
    if (this.#streams.has(stream.id)) {
      throw new SignalingError('ID_TAKEN', `Stream ${stream.id} is already in the session`);
    }
    this.#streams.set(stream.id, stream);
  }

  /** Removes a stream and remembers that it ended. Returns it, or undefined when there is none. */
  remove(streamId: string): LiveStream | undefined {
    const stream = this.#streams.get(streamId);
    if (!stream) return undefined;
    this.#streams.delete(streamId);
    this.#ended.add(streamId);
    if (this.#ended.size > ENDED_STREAMS_REMEMBERED) {
      const oldest = this.#ended.values().next().value;
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
    return stream;
  }

  /** Whether a stream with this ID ended recently. */
  recentlyEnded(streamId: string): boolean {
    return this.#ended.has(streamId);
  }

  /** Throws `ID_TAKEN` when a subscriber with this ID exists on any stream of the session. */
  assertSubscriberIdFree(subscriberId: string): void {
    for (const stream of this.#streams.values()) {
      if (stream.subscribers.has(subscriberId)) {
        throw new SignalingError('ID_TAKEN', `Subscriber ${subscriberId} already exists`);
      }
    }
  }
}
