/**
 * The IPC protocol between the load tool (parent) and its media-generator processes (children): the
 * commands a generator answers, with their arguments and results. Every value crosses the channel with
 * `serialization: 'advanced'`, so plain objects, numbers and strings only.
 */
import type { LoadMedia } from '../clients.js';
import type { SequenceCounts } from '../sequence-tracker.js';

/** What one subscriber of a generator measured, read in the same tick as its publisher's counters. */
export interface SubscriberSample {
  id: number;
  /** Sequence counters per track kind (absent: no packet of that kind arrived yet). */
  tracks: { audio?: SequenceCounts; video?: SequenceCounts };
  /** Epoch milliseconds (with fractions) of the first packet of any kind and of the first video packet. */
  firstPacketAt: { any?: number; video?: number };
}

/** A generator's counters at one instant. */
export interface GeneratorSample {
  /** Epoch milliseconds (`performance.timeOrigin + performance.now()`) when the sample was taken. */
  at: number;
  /** `process.cpuUsage()` of the generator, in microseconds. */
  cpuUserMicros: number;
  cpuSystemMicros: number;
  /** Cumulative event-loop idle and active time (`performance.eventLoopUtilization()`), in ms. */
  eventLoopIdleMs: number;
  eventLoopActiveMs: number;
  /**
   * Event-loop delay since the previous sample that asked for a reset (ms): how late the generator's
   * timers, and so its publishers' pacing and its sockets' reads, ran.
   */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Packets each publisher had handed to its senders, per track kind. */
  publishers: { id: number; sent: { audio: number; video: number } }[];
  subscribers: SubscriberSample[];
}

/** The commands a generator process answers. */
export interface GeneratorCommands {
  /** Creates a publisher replaying `media` and returns its offer (candidates inline). */
  publish: { args: { id: number; media: LoadMedia; ssrcBase: number }; result: { offer: string } };
  /** Applies the SFU's answer to publisher `id`; resolves once connected, then starts its pacing. */
  accept: { args: { id: number; answer: string; timeoutMs: number }; result: null };
  /** Creates subscriber `id` and answers the SFU's offer. */
  subscribe: { args: { id: number; offer: string }; result: { answer: string } };
  /** Resolves once subscriber `id` is connected. */
  connected: { args: { id: number; timeoutMs: number }; result: null };
  /** The counters now; `resetDelay` restarts the event-loop delay histogram after reading it. */
  sample: { args: { resetDelay: boolean }; result: GeneratorSample };
  /** Closes every client. */
  close: { args: Record<string, never>; result: null };
}

/** A command name. */
export type GeneratorCommand = keyof GeneratorCommands;

/** A request from the parent. */
export interface GeneratorRequest<K extends GeneratorCommand = GeneratorCommand> {
  id: number;
  command: K;
  args: GeneratorCommands[K]['args'];
}

/** A reply from a generator. */
export type GeneratorReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };
