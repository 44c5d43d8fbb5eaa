/**
 * Opus RTP of one audio track → 16-bit mono linear PCM at a chosen rate, as it arrives. The RTP
 * payloads are wrapped in Ogg pages (see `ogg-opus.ts`) and decoded and resampled by an ffmpeg child.
 * It is the decoding step of every server-side consumer of a stream's audio (the Audio Connector,
 * live captions): feed it what `MediaSource.subscribe(streamId, 'audio', sink)` hands out.
 *
 * @example
 * ```ts
 * const decoder = new OpusPcmDecoder({ sampleRate: 16_000, onPcm: (samples) => mixer.push(id, samples) });
 * const stop = source.subscribe(streamId, 'audio', (packet) => decoder.pushRtp(packet));
 * // …
 * stop();
 * await decoder.close();
 * ```
 */
import { FfmpegPipe } from './ffmpeg-pipe.js';
import { OggOpusWriter } from './ogg-opus.js';

/** The Opus RTP clock (RFC 7587: always 48 kHz). */
export const OPUS_CLOCK_RATE = 48_000;

/** A PCM sample rate ffmpeg can resample Opus to (the Audio Connector uses 8, 16 or 24 kHz). */
export type PcmSampleRate = 8000 | 16_000 | 24_000 | 48_000;

/** Options of {@link OpusPcmDecoder}. */
export interface OpusPcmDecoderOptions {
  /** The PCM rate out, in Hz. */
  sampleRate: PcmSampleRate;
  /** Receives decoded mono samples as they are produced (chunks of any length). */
  onPcm: (samples: Int16Array) => void;
  /** Called once if ffmpeg stops on its own (crash, bad input), with the reason. */
  onFailure?: (reason: string) => void;
  /** The ffmpeg executable. Default `PARLEY_FFMPEG` or `ffmpeg` on PATH. */
  ffmpegPath?: string;
}

/**
 * The payload of an RTP packet (RFC 3550): after the fixed header, the CSRCs and the header
 * extension, without padding. Null for a packet too short or malformed to have one.
 */
export function rtpPayload(packet: Buffer): Buffer | null {
  if (packet.length < 12 || packet[0] === undefined || packet[0] >> 6 !== 2) return null;
  const first = packet[0];
  let offset = 12 + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (first & 0x20) end -= packet[packet.length - 1] ?? 0;
  return end > offset ? packet.subarray(offset, end) : null;
}

/** Decodes one track; see the file comment. */
export class OpusPcmDecoder {
  readonly #ogg = new OggOpusWriter();
  readonly #pipe: FfmpegPipe;
  readonly #onPcm: (samples: Int16Array) => void;
  /** A byte of a sample split across two stdout chunks. */
  #oddByte: number | null = null;
  #lastTimestamp: number | null = null;
  #granule = 0n;
  #closed = false;

  constructor(options: OpusPcmDecoderOptions) {
    this.#onPcm = options.onPcm;
    this.#pipe = new FfmpegPipe(
      [
        // Decode from the first page: the Ogg headers say everything, nothing needs probing.
        ...['-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer'],
        ...['-f', 'ogg', '-i', 'pipe:0'],
        ...['-ac', '1', '-ar', String(options.sampleRate), '-f', 's16le', '-flush_packets', '1', 'pipe:1'],
      ],
      (chunk) => this.#output(chunk),
      (failure) => {
        if (failure && !this.#closed) options.onFailure?.(failure);
      },
      options.ffmpegPath,
    );
    // Two channels in the header: WebRTC negotiates Opus as stereo; ffmpeg downmixes (`-ac 1`).
    this.#pipe.write(this.#ogg.headers(2, OPUS_CLOCK_RATE));
  }

  /** Feeds one RTP packet of the track (header included). Malformed and empty packets are skipped. */
  pushRtp(packet: Buffer): void {
    if (this.#closed) return;
    const payload = rtpPayload(packet);
    if (!payload) return;
    const timestamp = packet.readUInt32BE(4);
    // The granule counts 48 kHz samples; RTP timestamps wrap at 2^32, so advance by the unsigned
    // difference, and by one 20 ms frame when the step is implausible (a new SSRC, a reordered packet).
    const step = this.#lastTimestamp === null ? 960 : (timestamp - this.#lastTimestamp) >>> 0;
    this.#lastTimestamp = timestamp;
    this.#granule += BigInt(step > 0 && step <= OPUS_CLOCK_RATE ? step : 960);
    this.#pipe.write(this.#ogg.packet(payload, this.#granule));
  }

  /** Stops decoding; PCM of packets already fed may still be delivered until it resolves. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pipe.close();
  }

  #output(chunk: Buffer): void {
    let bytes = chunk;
    if (this.#oddByte !== null) {
      bytes = Buffer.concat([Buffer.from([this.#oddByte]), chunk]);
      this.#oddByte = null;
    }
    if (bytes.length % 2 === 1) {
      this.#oddByte = bytes[bytes.length - 1] ?? 0;
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (bytes.length === 0) return;
    // Copy into an aligned buffer: a Buffer slice may start at an odd offset, which Int16Array refuses.
    const samples = new Int16Array(bytes.length / 2);
    Buffer.from(samples.buffer).set(bytes);
    this.#onPcm(samples);
  }
}
