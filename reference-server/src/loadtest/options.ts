/**
 * The options of a load test, validated with messages that name the field (the CLI prints them).
 */
import { availableParallelism } from 'node:os';
import { DATAPATH_CHOICES, type DatapathChoice } from '../sfu/native/datapath.js';
import type { LoadMedia } from './clients.js';

/** What to run. */
export interface LoadTestOptions {
  /** Publishers, each in its own session (router). Default 1. */
  publishers?: number;
  /** Subscribers of each publisher (1 is a one-to-one call, 16 a 1→16 fan-out). Default 1. */
  subscribersPerPublisher?: number;
  /** Tracks per stream. Default `audio+video`. */
  media?: LoadMedia;
  /** SFU worker processes. Default 1 (the load generator needs the other cores). */
  workers?: number;
  /**
   * Load-generator processes the werift clients run in (each publisher with its subscribers in one of
   * them). Default: one per {@link STREAMS_PER_GENERATOR} forwarded streams, at most one per core and one
   * per publisher, so that no generator's event loop saturates and paces late.
   */
  generators?: number;
  /** Seconds between the last connection and the start of the measurement. Default 2. */
  warmupSeconds?: number;
  /** Seconds measured. Default 10. */
  durationSeconds?: number;
  /** Clients connecting at the same time. Default 4 (DTLS handshakes are CPU-heavy in werift). */
  connectConcurrency?: number;
  /** How long one client may take to connect, in milliseconds. Default 15 000. */
  connectTimeoutMs?: number;
  /**
   * A directory for V8 CPU profiles (`--cpu-prof`) of the SFU workers and the load generators, written
   * when they exit (the report lists the generators' process IDs, which the file names contain). Default:
   * none (no profiling).
   */
  cpuProfileDir?: string;
  /** The SFU workers' datapath (the engine option `datapath`). Default `auto`. */
  datapath?: DatapathChoice;
  /** Whether each SFU worker serves every peer connection on one UDP port (the engine option `sharedPort`). Default true. */
  sharedPort?: boolean;
  /**
   * Extra Node.js flags for the SFU workers, after the pool's own (e.g. `--trace-gc`, or heap sizing to
   * compare against the defaults). Default none.
   */
  workerExecArgv?: string[];
}

/** {@link LoadTestOptions} with every default applied. */
export type ResolvedLoadTestOptions = Required<Omit<LoadTestOptions, 'cpuProfileDir'>> & {
  cpuProfileDir: string | undefined;
};

/** A bad option; the message names it. */
export class LoadTestOptionError extends Error {
  override readonly name = 'LoadTestOptionError';
}

/**
 * Forwarded streams one generator process is given by default. A werift client pair costs about as much
 * CPU as the SFU's forwarding of it, so at 12 streams (24 clients, ≈ 1,800 packets/s sent and received)
 * a generator stays well below a core on the machines measured (SFU-PROFILE.md).
 */
export const STREAMS_PER_GENERATOR = 12;

/** The default generator count for a run (see {@link LoadTestOptions.generators}). */
export function defaultGenerators(publishers: number, subscribersPerPublisher: number): number {
  const wanted = Math.ceil((publishers * subscribersPerPublisher) / STREAMS_PER_GENERATOR);
  return Math.max(1, Math.min(wanted, availableParallelism(), publishers));
}

const MEDIA: readonly LoadMedia[] = ['audio', 'video', 'audio+video'];

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LoadTestOptionError(`${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function seconds(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new LoadTestOptionError(
      `${field} must be a number of seconds from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

/** Applies the defaults and validates; throws a {@link LoadTestOptionError} naming the bad field. */
export function resolveLoadTestOptions(options: LoadTestOptions = {}): ResolvedLoadTestOptions {
  const media = options.media ?? 'audio+video';
  if (!MEDIA.includes(media)) {
    throw new LoadTestOptionError(`media must be one of ${MEDIA.join(', ')}, got ${String(media)}`);
  }
  const datapath = options.datapath ?? 'auto';
  if (!DATAPATH_CHOICES.includes(datapath)) {
    throw new LoadTestOptionError(
      `datapath must be one of ${DATAPATH_CHOICES.join(', ')}, got ${String(datapath)}`,
    );
  }
  const sharedPort = options.sharedPort ?? true;
  if (typeof sharedPort !== 'boolean') {
    throw new LoadTestOptionError(`sharedPort must be a boolean, got ${String(sharedPort)}`);
  }
  const publishers = integer(options.publishers ?? 1, 'publishers', 1, 1000);
  const subscribersPerPublisher = integer(
    options.subscribersPerPublisher ?? 1,
    'subscribersPerPublisher',
    1,
    1000,
  );
  return {
    publishers,
    subscribersPerPublisher,
    media,
    workers: integer(options.workers ?? 1, 'workers', 1, 64),
    generators: integer(
      options.generators ?? defaultGenerators(publishers, subscribersPerPublisher),
      'generators',
      1,
      // A generator holds whole sessions, so more than one per publisher would sit idle.
      Math.min(64, publishers),
    ),
    warmupSeconds: seconds(options.warmupSeconds ?? 2, 'warmupSeconds', 0, 600),
    durationSeconds: seconds(options.durationSeconds ?? 10, 'durationSeconds', 0.5, 3600),
    connectConcurrency: integer(options.connectConcurrency ?? 4, 'connectConcurrency', 1, 256),
    connectTimeoutMs: integer(options.connectTimeoutMs ?? 15_000, 'connectTimeoutMs', 100, 600_000),
    cpuProfileDir: profileDir(options.cpuProfileDir),
    datapath,
    sharedPort,
    workerExecArgv: execArgv(options.workerExecArgv),
  };
}

function execArgv(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((arg) => typeof arg === 'string' && arg.startsWith('-'))) {
    throw new LoadTestOptionError(
      'workerExecArgv must be an array of Node.js flags (strings starting with -)',
    );
  }
  return [...value];
}

function profileDir(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new LoadTestOptionError('cpuProfileDir must be a non-empty directory path');
  }
  return value;
}
