/**
 * One streaming speech recogniser: `recognizer.py` (PocketSphinx) as a child process that takes 16 kHz
 * mono PCM on stdin and reports partial and final hypotheses as JSON lines. Recognition runs in its own
 * process so the decoding never blocks the event loop that also carries the SFU and the signaling.
 *
 * @example
 * ```ts
 * const recognizer = new SpeechRecognizer({ python, model, partials: true, onResult: (r) => show(r) });
 * recognizer.push(samples); // Int16Array at 16 kHz
 * await recognizer.close(); // the last utterance's final result is still reported
 * ```
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { spawnChild } from '../../process/child-processes.js';
import type { LanguageModel } from './languages.js';

/** The PCM rate the recogniser expects (the PocketSphinx models are trained at 16 kHz). */
export const RECOGNIZER_SAMPLE_RATE = 16_000;

/** The script the recogniser runs, next to this file. */
export const RECOGNIZER_SCRIPT = fileURLToPath(new URL('./recognizer.py', import.meta.url));

/** How long {@link SpeechRecognizer.close} waits for the last result before killing the process. */
const EXIT_GRACE_MS = 3000;

/** The stderr lines kept to explain a failure. */
const STDERR_LINES_KEPT = 5;

/**
 * The most PCM bytes buffered for a recogniser that falls behind (10 s of audio). Beyond it, new audio
 * is dropped rather than letting memory grow: captions lag less that way too.
 */
const MAX_BUFFERED_BYTES = RECOGNIZER_SAMPLE_RATE * 2 * 10;

/** One recognition result. */
export interface RecognitionResult {
  text: string;
  /** False for a partial hypothesis of an utterance still being spoken. */
  isFinal: boolean;
}

/** Options of {@link SpeechRecognizer}. */
export interface SpeechRecognizerOptions {
  /** The Python interpreter that can import `pocketsphinx`. */
  python: string;
  /** The language's model files (absolute paths). */
  model: LanguageModel;
  /** Whether to report partial hypotheses as well as final ones. */
  partials: boolean;
  /** Receives every result, in order. */
  onResult: (result: RecognitionResult) => void;
  /** Called once if the recogniser stops on its own (crash, missing module), with the reason. */
  onFailure?: (reason: string) => void;
}

/** A running recogniser; see the file comment. */
export class SpeechRecognizer {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #stderr: string[] = [];
  readonly #exited: Promise<void>;
  #stdoutRest = '';
  #closing = false;
  #ended = false;
  #ready = false;

  constructor(options: SpeechRecognizerOptions) {
    const { model } = options;
    const args = [RECOGNIZER_SCRIPT, '--hmm', model.acousticModel, '--lm', model.languageModel];
    args.push('--dict', model.dictionary, ...(options.partials ? ['--partials'] : []));
    // Through spawnChild: the recogniser dies with the server (see `src/process/child-processes.ts`).
    this.#child = spawnChild(options.python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // EPIPE after the recogniser exited is reported through its exit, not as an unhandled error.
    this.#child.stdin.on('error', () => undefined);
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (text: string) => this.#read(text, options.onResult));
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (text: string) => {
      for (const line of text.split(/\r?\n/)) {
        if (line.trim() === '') continue;
        this.#stderr.push(line.trim());
        if (this.#stderr.length > STDERR_LINES_KEPT) this.#stderr.shift();
      }
    });
    this.#exited = new Promise<void>((resolve) => {
      const finish = (failure: string | null): void => {
        if (!this.#ended) {
          this.#ended = true;
          if (failure !== null && !this.#closing) options.onFailure?.(failure);
        }
        resolve();
      };
      let spawnError: Error | null = null;
      this.#child.once('error', (error) => {
        spawnError = error;
        // A process that never started emits no `close` in some Node versions.
        if (this.#child.pid === undefined) finish(`the recogniser could not be started: ${error.message}`);
      });
      this.#child.once('close', (code, signal) => {
        if (spawnError) return finish(`the recogniser could not be started: ${spawnError.message}`);
        if (code === 0 || this.#closing) return finish(null);
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const detail = this.#stderr.length > 0 ? `: ${this.#stderr.join(' | ')}` : '';
        finish(`the speech recogniser ${how}${detail}`);
      });
    });
  }

  /** Whether the models are loaded and audio is being recognised (audio sent before is queued). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Feeds 16 kHz mono samples. Dropped once closing, or while the recogniser is 10 s behind. */
  push(samples: Int16Array): void {
    if (this.#closing || this.#ended || !this.#child.stdin.writable) return;
    if (this.#child.stdin.writableLength > MAX_BUFFERED_BYTES) return;
    // Little-endian on every platform Node runs on that we support; the script reads s16le.
    this.#child.stdin.write(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  }

  /**
   * Ends the input: the recogniser reports the final result of an utterance in progress, then exits.
   * Resolves once it has (or was killed after a grace period).
   */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#child.stdin.end();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_GRACE_MS);
      await this.#exited;
      clearTimeout(timer);
      return;
    }
    await this.#exited;
  }

  #read(text: string, onResult: (result: RecognitionResult) => void): void {
    const lines = (this.#stdoutRest + text).split('\n');
    this.#stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      let parsed: { type?: unknown; text?: unknown };
      try {
        parsed = JSON.parse(line) as { type?: unknown; text?: unknown };
      } catch {
        continue; // Not ours (a library printing to stdout): ignore rather than fail the stream.
      }
      if (parsed.type === 'ready') this.#ready = true;
      else if ((parsed.type === 'partial' || parsed.type === 'final') && typeof parsed.text === 'string') {
        onResult({ text: parsed.text, isFinal: parsed.type === 'final' });
      }
    }
  }
}
