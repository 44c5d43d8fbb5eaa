/**
 * The captioning of one stream: its Opus RTP (from the session's {@link MediaSource}) → 16 kHz mono PCM
 * → a {@link SpeechRecognizer} → results for the stream.
 *
 * The Opus decoding is the Audio Connector's {@link OpusPcmDecoder} (an ffmpeg child fed Ogg pages): both
 * services need the same "RTP of one track → PCM" step, so there is one implementation of it. This file
 * depends on it only through {@link PcmDecoder}, which is all a stream captioner needs.
 */
import type { MediaSource } from '../../recording/media-source.js';
import { OpusPcmDecoder } from '../audio-connector/pcm-decoder.js';
import type { LanguageModel } from './languages.js';
import { RECOGNIZER_SAMPLE_RATE, type RecognitionResult, SpeechRecognizer } from './recognizer.js';

/** What a stream captioner needs from a decoder: RTP in, PCM out (to the `onPcm` it was built with). */
export interface PcmDecoder {
  pushRtp(packet: Buffer): void;
  close(): Promise<void>;
}

/** Builds the decoder of one stream; tests and a future shared decoder may swap it. */
export type PcmDecoderFactory = (options: {
  sampleRate: typeof RECOGNIZER_SAMPLE_RATE;
  onPcm: (samples: Int16Array) => void;
  onFailure: (reason: string) => void;
}) => PcmDecoder;

/** The default decoder: Opus RTP decoded by ffmpeg (`ffmpegPath`, default `PARLEY_FFMPEG` or PATH). */
export function opusDecoderFactory(ffmpegPath?: string): PcmDecoderFactory {
  return (options) => new OpusPcmDecoder({ ...options, ...(ffmpegPath ? { ffmpegPath } : {}) });
}

/** Options of {@link StreamCaptioner}. */
export interface StreamCaptionerOptions {
  source: MediaSource;
  streamId: string;
  python: string;
  model: LanguageModel;
  partials: boolean;
  createDecoder: PcmDecoderFactory;
  onResult: (result: RecognitionResult) => void;
  /** Called once if the decoder or the recogniser breaks down. */
  onFailure: (reason: string) => void;
}

/** A running stream captioning; see the file comment. */
export class StreamCaptioner {
  readonly streamId: string;
  readonly #recognizer: SpeechRecognizer;
  readonly #decoder: PcmDecoder;
  readonly #unsubscribe: () => void;
  #failed = false;
  #closed: Promise<void> | null = null;

  constructor(options: StreamCaptionerOptions) {
    this.streamId = options.streamId;
    const fail = (reason: string): void => {
      if (this.#failed || this.#closed) return;
      this.#failed = true;
      options.onFailure(reason);
    };
    this.#recognizer = new SpeechRecognizer({
      python: options.python,
      model: options.model,
      partials: options.partials,
      onResult: options.onResult,
      onFailure: fail,
    });
    this.#decoder = options.createDecoder({
      sampleRate: RECOGNIZER_SAMPLE_RATE,
      onPcm: (samples) => this.#recognizer.push(samples),
      onFailure: (reason) => fail(`the audio of stream ${options.streamId} could not be decoded: ${reason}`),
    });
    this.#unsubscribe = options.source.subscribe(options.streamId, 'audio', (packet) =>
      this.#decoder.pushRtp(packet),
    );
  }

  /**
   * Stops listening and closes the decoder, then the recogniser (which reports the final result of an
   * utterance in progress). Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#unsubscribe();
      await this.#decoder.close();
      await this.#recognizer.close();
    })();
    return this.#closed;
  }
}
