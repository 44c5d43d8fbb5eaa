/**
 * Mixes the decoded audio of several streams into one mono channel, one fixed-size frame at a time.
 * Each input has a small jitter buffer: decoded PCM arrives in bursts (network, decoder pipes) while
 * frames leave at a steady pace, so an input contributes only once it holds `prebufferFrames` frames,
 * and starts over after running dry; an input that fell far behind (a stalled consumer, a burst) drops
 * its oldest audio so latency stays bounded. An input with nothing buffered contributes silence, so the
 * mix is continuous whatever the inputs do.
 */

/** Options of {@link PcmMixer}. */
export interface PcmMixerOptions {
  /** Samples per output frame (20 ms: `rate / 50`). */
  frameSamples: number;
  /** Frames an input must hold before it is heard (and again after running dry). Default 2. */
  prebufferFrames?: number;
  /** Frames an input may hold; older audio beyond that is dropped. Default 10. */
  maxBufferedFrames?: number;
}

/** One input's buffered samples. */
class InputBuffer {
  readonly chunks: Int16Array[] = [];
  /** Samples already consumed from `chunks[0]`. */
  offset = 0;
  buffered = 0;
  primed = false;

  push(samples: Int16Array): void {
    this.chunks.push(samples);
    this.buffered += samples.length;
  }

  /** Drops the oldest `count` samples. */
  drop(count: number): void {
    this.#consume(count, null);
  }

  /** Adds up to `count` samples into `into` (from index 0); returns how many it had. */
  mixInto(into: Int32Array, count: number): number {
    return this.#consume(count, into);
  }

  #consume(count: number, into: Int32Array | null): number {
    let done = 0;
    while (done < count) {
      const chunk = this.chunks[0];
      if (!chunk) break;
      const take = Math.min(count - done, chunk.length - this.offset);
      if (into)
        for (let i = 0; i < take; i++) into[done + i] = (into[done + i] ?? 0) + (chunk[this.offset + i] ?? 0);
      done += take;
      this.offset += take;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.buffered -= done;
    return done;
  }
}

/** See the file comment. */
export class PcmMixer {
  readonly frameSamples: number;
  readonly #prebuffer: number;
  readonly #maxBuffered: number;
  readonly #inputs = new Map<string, InputBuffer>();

  constructor(options: PcmMixerOptions) {
    if (!Number.isInteger(options.frameSamples) || options.frameSamples <= 0) {
      throw new RangeError('frameSamples must be a positive integer');
    }
    this.frameSamples = options.frameSamples;
    this.#prebuffer = (options.prebufferFrames ?? 2) * options.frameSamples;
    this.#maxBuffered = (options.maxBufferedFrames ?? 10) * options.frameSamples;
    if (this.#maxBuffered < this.#prebuffer) {
      throw new RangeError('maxBufferedFrames must be at least prebufferFrames');
    }
  }

  /** The IDs of the inputs, in the order they were added. */
  get inputs(): readonly string[] {
    return [...this.#inputs.keys()];
  }

  /** Adds an input (no-op when it exists). */
  addInput(id: string): void {
    if (!this.#inputs.has(id)) this.#inputs.set(id, new InputBuffer());
  }

  /** Removes an input and its buffered audio. */
  removeInput(id: string): void {
    this.#inputs.delete(id);
  }

  /** Queues decoded samples of an input; ignored for an unknown input (it was removed meanwhile). */
  push(id: string, samples: Int16Array): void {
    this.#inputs.get(id)?.push(samples);
  }

  /** The next output frame: the sum of every primed input's next frame, clipped to 16 bits. */
  mixFrame(): Int16Array {
    const sum = new Int32Array(this.frameSamples);
    for (const input of this.#inputs.values()) {
      if (input.buffered > this.#maxBuffered) input.drop(input.buffered - this.#prebuffer);
      if (!input.primed) {
        if (input.buffered < this.#prebuffer) continue;
        input.primed = true;
      }
      const got = input.mixInto(sum, this.frameSamples);
      if (got < this.frameSamples) input.primed = false;
    }
    const frame = new Int16Array(this.frameSamples);
    for (let i = 0; i < frame.length; i++) {
      const value = sum[i] ?? 0;
      frame[i] = Math.min(32_767, Math.max(-32_768, value));
    }
    return frame;
  }
}
