/**
 * 16-bit mono linear PCM at 8, 16 or 24 kHz → Opus packets of 20 ms, for publishing audio into a session
 * (the Audio Connector's bidirectional mode). ffmpeg's libopus encodes; its Ogg output is split into
 * packets by `OggOpusReader`, one page per packet so each packet leaves as soon as it is encoded.
 */
import { FfmpegPipe } from './ffmpeg-pipe.js';
import { OggOpusReader } from './ogg-opus.js';
import type { PcmSampleRate } from './pcm-decoder.js';

/** Options of {@link PcmOpusEncoder}. */
export interface PcmOpusEncoderOptions {
  /** The PCM rate in, in Hz. */
  sampleRate: PcmSampleRate;
  /** Receives each encoded Opus packet (20 ms of audio), in order. */
  onPacket: (packet: Buffer) => void;
  /** Called once if ffmpeg stops on its own, with the reason. */
  onFailure?: (reason: string) => void;
  /** The ffmpeg executable. Default `PARLEY_FFMPEG` or `ffmpeg` on PATH. */
  ffmpegPath?: string;
}

/** Encodes one mono PCM stream; see the file comment. */
export class PcmOpusEncoder {
  readonly #pipe: FfmpegPipe;
  readonly #reader = new OggOpusReader();
  #closed = false;

  constructor(options: PcmOpusEncoderOptions) {
    this.#pipe = new FfmpegPipe(
      [
        ...['-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer'],
        ...['-f', 's16le', '-ar', String(options.sampleRate), '-ac', '1', '-i', 'pipe:0'],
        // Speech settings as WebRTC uses them; 20 ms frames; one Ogg page per packet (20 ms).
        ...['-c:a', 'libopus', '-application', 'voip', '-b:a', '32k', '-frame_duration', '20'],
        ...['-f', 'ogg', '-page_duration', '20000', '-flush_packets', '1', 'pipe:1'],
      ],
      (chunk) => {
        let packets: Buffer[];
        try {
          packets = this.#reader.push(chunk);
        } catch (error) {
          options.onFailure?.(`The Opus encoder produced a bad Ogg stream: ${(error as Error).message}`);
          void this.close();
          return;
        }
        for (const packet of packets) options.onPacket(packet);
      },
      (failure) => {
        if (failure && !this.#closed) options.onFailure?.(failure);
      },
      options.ffmpegPath,
    );
  }

  /** Feeds mono little-endian 16-bit samples (any length). */
  write(pcm: Uint8Array): void {
    if (!this.#closed) this.#pipe.write(pcm);
  }

  /** Stops encoding. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pipe.close();
  }
}
