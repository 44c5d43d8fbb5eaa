/**
 * Supervises one ffmpeg child process: progress from `-progress pipe:1` (key=value blocks on stdout),
 * the last lines of stderr kept as the failure reason, a graceful stop (`q` on stdin, which makes ffmpeg
 * flush its encoders and write its trailers) with a kill after a timeout, and the exit mapped to
 * success or a failure with a readable reason.
 *
 * ffmpeg runs as a separate process so encoding never blocks the server's event loop (and the SFU in
 * it). It would not notice the server dying — it ignores SIGPIPE, so failed writes of its progress do
 * not end it, its RTP inputs just go quiet, and a closed stdin does not stop it — so it is started
 * through `spawnChild` (`src/process/`), which has the kernel kill it when the server dies and records
 * it for the reaper that runs when the server starts again.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TypedEmitter } from '@parley/events';
import { spawnChild } from '../../process/child-processes.js';

/** One progress report of ffmpeg. */
export interface FfmpegProgress {
  /** Video frames output so far (0 for audio-only outputs). */
  frame: number;
  /** Output time in seconds. */
  outTimeSeconds: number;
  /** Bytes written so far (`total_size`), when reported. */
  totalSize: number;
  /** Encoding speed relative to real time, when known. */
  speed: number | null;
}

/** How the process ended. */
export interface FfmpegExit {
  /** True when ffmpeg exited with status 0 (including after a graceful stop). */
  ok: boolean;
  /** The exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it failed: the last error lines of stderr, or the spawn error. Empty when `ok`. */
  reason: string;
}

/** Events of {@link FfmpegProcess}. */
export type FfmpegProcessEvents = {
  /** A progress block (about twice a second). */
  progress: [progress: FfmpegProgress];
  /** A line ffmpeg wrote to stderr (warnings and errors at the default log level). */
  stderr: [line: string];
  /** The process ended. Emitted once. */
  exit: [exit: FfmpegExit];
};

/** Options of {@link FfmpegProcess}. */
export interface FfmpegProcessOptions {
  /** The executable. Default `ffmpeg` (from PATH), or the `PARLEY_FFMPEG` environment variable. */
  ffmpegPath?: string;
  /** Working directory. */
  cwd?: string;
}

/** The ffmpeg executable: `PARLEY_FFMPEG` or `ffmpeg` on PATH. */
export function defaultFfmpegPath(): string {
  return process.env.PARLEY_FFMPEG ?? 'ffmpeg';
}

const STDERR_LINES_KEPT = 20;

/** One running ffmpeg; see the file comment. */
export class FfmpegProcess extends TypedEmitter<FfmpegProcessEvents> {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #stderr: string[] = [];
  #progress: FfmpegProgress = { frame: 0, outTimeSeconds: 0, totalSize: 0, speed: null };
  #exit: FfmpegExit | null = null;
  #spawnError: Error | null = null;
  readonly #exited: Promise<FfmpegExit>;

  constructor(args: readonly string[], options: FfmpegProcessOptions = {}) {
    super();
    this.#child = spawnChild(options.ffmpegPath ?? defaultFfmpegPath(), args, {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child.stdin.on('error', () => undefined); // EPIPE after ffmpeg exited.
    this.#exited = new Promise((resolve) => {
      this.#child.once('error', (error) => {
        this.#spawnError = error;
        // 'close' may not follow a spawn failure.
        if (this.#child.pid === undefined) this.#finish(null, null, resolve);
      });
      this.#child.once('close', (code, signal) => this.#finish(code, signal, resolve));
    });
    this.#readLines(this.#child.stdout, (line) => this.#onProgressLine(line));
    this.#readLines(this.#child.stderr, (line) => {
      this.#stderr.push(line);
      if (this.#stderr.length > STDERR_LINES_KEPT) this.#stderr.shift();
      this.emit('stderr', line);
    });
  }

  /** The process ID (undefined if it could not be spawned). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The latest progress. */
  get progress(): FfmpegProgress {
    return this.#progress;
  }

  /** How it ended, once it has. */
  get exitInfo(): FfmpegExit | null {
    return this.#exit;
  }

  /** Resolves when the process has ended. */
  exited(): Promise<FfmpegExit> {
    return this.#exited;
  }

  /**
   * Stops gracefully: sends `q`, waits up to `timeoutMs` for ffmpeg to finish its files, then kills it.
   * Resolves with how it ended.
   */
  async stop(timeoutMs = 10_000): Promise<FfmpegExit> {
    if (this.#exit) return this.#exit;
    this.#child.stdin.end('q');
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal (default SIGKILL) without waiting. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.#exit) this.#child.kill(signal);
  }

  #finish(code: number | null, signal: NodeJS.Signals | null, resolve: (exit: FfmpegExit) => void): void {
    if (this.#exit) return;
    const ok = code === 0 && !this.#spawnError;
    let reason = '';
    if (this.#spawnError) reason = `ffmpeg could not be started: ${this.#spawnError.message}`;
    else if (!ok) {
      const detail = this.#stderr.slice(-3).join(' | ');
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reason = detail ? `ffmpeg ${how}: ${detail}` : `ffmpeg ${how}`;
    }
    this.#exit = { ok, code, signal, reason };
    this.emit('exit', this.#exit);
    resolve(this.#exit);
  }

  #pending: Partial<Record<string, string>> = {};

  #onProgressLine(line: string): void {
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    this.#pending[key] = value;
    if (key !== 'progress') return;
    const block = this.#pending;
    this.#pending = {};
    const number = (v: string | undefined): number => {
      const n = Number(v);
      return Number.isFinite(n) ? n : 0;
    };
    const speed = block.speed ? Number.parseFloat(block.speed) : Number.NaN;
    this.#progress = {
      frame: number(block.frame),
      // `out_time_us` and `out_time_ms` are both microseconds in ffmpeg 5.
      outTimeSeconds: number(block.out_time_us ?? block.out_time_ms) / 1_000_000,
      totalSize: number(block.total_size),
      speed: Number.isFinite(speed) ? speed : null,
    };
    this.emit('progress', this.#progress);
  }

  #readLines(stream: Readable, onLine: (line: string) => void): void {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split(/\r?\n|\r/);
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onLine(line);
    });
    stream.on('end', () => {
      if (buffered.trim() !== '') onLine(buffered);
    });
  }
}
