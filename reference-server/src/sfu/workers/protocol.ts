/**
 * The messages between the worker-pool engine (parent) and one SFU worker process (child), over Node's
 * IPC channel with the `advanced` (structured clone) serialization.
 *
 * The parent mirrors the worker's object tree (router → transports → producers/consumers): it sends
 * calls addressed to an entity id and gets one result per call; the worker pushes the lifecycle events of
 * its entities and, periodically, their counters and its own CPU and memory usage.
 */
import type {
  ConsumerStats,
  IceCandidate,
  MediaKind,
  ProducerStats,
  RtpCodec,
  SfuEngineOptions,
  SubscriberPreferences,
  TransportConnectionState,
} from '../types.js';

/** The target id of the worker's engine itself. */
export const ENGINE_TARGET = 'engine';

/** What the parent passes to a new worker (as its single command-line argument, in JSON). */
export interface WorkerInit {
  /** The engine options (already validated by the parent). */
  engine: SfuEngineOptions;
  /** How often the worker pushes a {@link WorkerStatsMessage}, in milliseconds. */
  statsIntervalMs: number;
  /** Extra Node.js flags of the worker process (read by the parent when it spawns the worker). */
  execArgv?: string[];
}

/** Parent → worker: invoke `method` on the entity `target`. */
export interface CallMessage {
  type: 'call';
  /** Correlates the {@link ResultMessage}. */
  id: number;
  target: string;
  method: string;
  args: unknown[];
}

/** An error as it crosses the process boundary (an `SfuError` code and message). */
export interface SerializedError {
  code: string;
  message: string;
}

/** Worker → parent: the outcome of one call. */
export type ResultMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError };

/** Worker → parent: an entity emitted an event. */
export interface EventMessage {
  type: 'event';
  target: string;
  event: string;
  args: unknown[];
}

/** CPU and memory of a worker process. */
export interface WorkerUsage {
  /** `process.cpuUsage()` of the worker, in microseconds since it started. */
  cpuUserMicros: number;
  cpuSystemMicros: number;
  /** Resident set size, in bytes. */
  rss: number;
  /** Where the resident memory goes (see {@link WorkerMemory}). */
  memory: WorkerMemory;
  /**
   * When the worker took this sample: milliseconds since the Unix epoch with sub-millisecond precision
   * (`performance.timeOrigin + performance.now()`). Rates over the worker's counters use these times,
   * not the parent's: the reply can sit in the IPC channel for a long time on a busy machine.
   */
  sampledAt: number;
  /** Open routers, transports and consumers (what placement weighs). */
  routers: number;
  transports: number;
  consumers: number;
}

/**
 * A worker's memory by owner, in bytes (`process.memoryUsage()` and `v8.getHeapSpaceStatistics()`), so
 * that a load test can tell the JavaScript heap, buffers and native allocations apart.
 */
export interface WorkerMemory {
  /** Bytes V8 has reserved for the JavaScript heap (all spaces). */
  heapTotal: number;
  /** Bytes of live and not yet collected objects in the heap. */
  heapUsed: number;
  /**
   * The young generation's reserved size (V8's `new_space`): short-lived objects, most of them garbage
   * between two scavenges. Part of {@link heapTotal}.
   */
  youngGeneration: number;
  /** Memory of C++ objects bound to JavaScript objects, including {@link arrayBuffers}. */
  external: number;
  /** `ArrayBuffer`s and Node `Buffer`s (their backing stores). Part of {@link external}. */
  arrayBuffers: number;
}

/** Worker → parent: usage and the counters of every producer and consumer. */
export interface WorkerStatsMessage {
  type: 'stats';
  usage: WorkerUsage;
  producers: Record<string, ProducerStats>;
  consumers: Record<string, ConsumerStats>;
}

/** Worker → parent, once: the engine is up and takes calls. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

/**
 * Worker → parent: RTP packets of tapped producers (`Producer.tap`), batched per event-loop turn so a
 * busy session costs one IPC message per turn rather than one per packet. The packets are concatenated in
 * `data` (one buffer crosses the channel, however many packets); entry `i` of `producerIds` and `lengths`
 * describes the `i`-th packet. Sent only while the parent has a tap on the producer.
 */
export interface RtpBatchMessage {
  type: 'rtp';
  producerIds: string[];
  lengths: number[];
  data: Uint8Array;
}

/** Everything the worker sends. */
export type WorkerMessage =
  | ResultMessage
  | EventMessage
  | WorkerStatsMessage
  | ReadyMessage
  | RtpBatchMessage;

/** A router as created by the worker. */
export interface RouterInfo {
  id: string;
  sessionId: string;
}

/** A producer as the worker describes it. */
export interface ProducerInfo {
  id: string;
  kind: MediaKind;
  codec: RtpCodec;
  streamId: string;
  paused: boolean;
}

/** A consumer as the worker describes it. */
export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: MediaKind;
  codec: RtpCodec;
  paused: boolean;
  producerPaused: boolean;
}

/** A publisher transport as created by the worker. */
export interface PublisherTransportInfo {
  id: string;
  streamId: string;
  connectionState: TransportConnectionState;
}

/** A subscriber transport as created by the worker, with its consumers. */
export interface SubscriberTransportInfo extends PublisherTransportInfo {
  subscriberId: string;
  consumers: ConsumerInfo[];
}

/** The arguments of the worker-side `createSubscriberTransport` (producers by id). */
export interface SubscriberTransportRequest {
  streamId: string;
  subscriberId: string;
  producerIds: string[];
  preferences?: SubscriberPreferences;
}

/** The payload of a publisher transport's `producer` event. */
export type ProducerEventArgs = [producer: ProducerInfo];

/** The payload of a transport's `localcandidate` event. */
export type LocalCandidateEventArgs = [candidate: IceCandidate];
