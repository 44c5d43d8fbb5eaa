/**
 * An ffmpeg child process used as a streaming filter: bytes in on stdin, bytes out on stdout. The Opus
 * decoder and encoder of the Audio Connector run this way (recording's `FfmpegProcess` reads stdout as
 * progress reports, so it does not fit). ffmpeg runs as its own process so codec work never blocks the
 * event loop that also carries the SFU; it exits by itself when stdin closes. It is started through
 * `spawnChild` (`src/process/`) so it also ends when the server dies, even when a stuck ffmpeg would
 * not notice its stdin closing.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { spawnChild } from '../../process/child-processes.js';
import { defaultFfmpegPath } from '../../recording/compositor/ffmpeg-process.js';

/** How long {@link FfmpegPipe.close} waits for ffmpeg to exit before killing it. */
const EXIT_GRACE_MS = 2000;

/** The stderr lines kept to explain a failure. */
const STDERR_LINES_KEPT = 5;

/** One running ffmpeg filter; see the file comment. */
export class FfmpegPipe {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #stderr: string[] = [];
  readonly #exited: Promise<string | null>;
  #ended = false;

  /**
   * Spawns ffmpeg with `args` (which must read `pipe:0` and write `pipe:1`). `onData` receives stdout
   * as it comes; `onExit` is called once with null for a clean exit, else the reason.
   */
  constructor(
    args: readonly string[],
    onData: (chunk: Buffer) => void,
    onExit: (failure: string | null) => void,
    ffmpegPath: string = defaultFfmpegPath(),
  ) {
    this.#child = spawnChild(ffmpegPath, ['-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // EPIPE after ffmpeg exited is reported through the exit, not as an unhandled error.
    this.#child.stdin.on('error', () => undefined);
    this.#child.stdout.on('data', onData);
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (text: string) => {
      for (const line of text.split(/\r?\n/)) {
        if (line.trim() === '') continue;
        this.#stderr.push(line.trim());
        if (this.#stderr.length > STDERR_LINES_KEPT) this.#stderr.shift();
      }
    });
    this.#exited = new Promise<string | null>((resolve) => {
      let spawnError: Error | null = null;
      this.#child.once('error', (error) => {
        spawnError = error;
        if (this.#child.pid === undefined) resolve(`ffmpeg could not be started: ${error.message}`);
      });
      this.#child.once('close', (code, signal) => {
        if (spawnError) resolve(`ffmpeg could not be started: ${spawnError.message}`);
        else if (code === 0 || this.#ended) resolve(null);
        else {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          resolve(`ffmpeg ${how}${this.#stderr.length > 0 ? `: ${this.#stderr.join(' | ')}` : ''}`);
        }
      });
    }).then((failure) => {
      this.#ended = true;
      onExit(failure);
      return failure;
    });
  }

  /** Whether ffmpeg still accepts input. */
  get running(): boolean {
    return !this.#ended && this.#child.stdin.writable;
  }

  /** Writes input; ignored once ffmpeg is gone. */
  write(bytes: Uint8Array): void {
    if (this.running) this.#child.stdin.write(bytes);
  }

  /** Closes stdin so ffmpeg drains and exits; kills it if it has not after a grace period. */
  async close(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      this.#child.stdin.end();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_GRACE_MS);
      await this.#exited;
      clearTimeout(timer);
      return;
    }
    await this.#exited;
  }
}
