/**
 * A group of {@link SignalingLoadClient}s in one process: joins them with bounded concurrency, lets the
 * first one signal the whole session at a fixed pace, and records when every other client received each
 * signal. The benchmark runs one group per load-generator process.
 */
import { mapConcurrently } from '../summary.js';
import {
  type InboundMessage,
  type JoinOptions,
  type JoinTarget,
  type JoinTimings,
  SignalingLoadClient,
  wallClock,
} from './protocol-client.js';

/** The signal type the fan-out measurement sends (and the only one receivers time). */
export const FANOUT_SIGNAL_TYPE = 'parley-bench-fanout';

/** What a fan-out signal carries: its number and the sender's wall clock at sending. */
interface FanoutPayload {
  seq: number;
  sentAt: number;
}

/** The result of {@link SignalingClientGroup.join}. */
export interface GroupJoinResult {
  joined: number;
  /** Error messages of the joins that failed (at most the first 20). */
  failures: string[];
  failed: number;
  timings: JoinTimings[];
}

/** Options of {@link SignalingClientGroup.join}. */
export interface GroupJoinOptions {
  /** Joins in flight at once. */
  concurrency: number;
  suppressConnectionEvents?: boolean;
  timeoutMs?: number;
}

/** The result of {@link SignalingClientGroup.sendSignals}. */
export interface SignalRun {
  sent: number;
  /** Signals answered with a STATUS other than 200 (or not answered). */
  failed: number;
  /** Wall-clock duration of the run, from the first send to the last STATUS, in ms. */
  durationMs: number;
}

/** Receipts of fan-out signals by this group's clients (the sender's own copies excluded). */
export interface Receipts {
  /** Send-to-receipt latency of each receipt, in ms. */
  latenciesMs: number[];
  /** Signals received by clients of this group, by sequence number. */
  perSignal: Record<number, number>;
}

/** Clients of one load-generator process. */
export class SignalingClientGroup {
  readonly #clients: SignalingLoadClient[] = [];
  #latencies: number[] = [];
  #perSignal = new Map<number, number>();
  #lost = 0;
  #lostReasons: string[] = [];

  /** How many clients are joined. */
  get size(): number {
    return this.#clients.length;
  }

  /** Fan-out receipts recorded and not yet taken. */
  get receiptCount(): number {
    return this.#latencies.length;
  }

  /** Clients whose socket closed without being asked to (with the first few close codes and reasons). */
  get lost(): { count: number; reasons: string[] } {
    return { count: this.#lost, reasons: [...this.#lostReasons] };
  }

  /** Joins one client per target, `concurrency` at a time. Failed joins are counted, not thrown. */
  async join(targets: readonly JoinTarget[], options: GroupJoinOptions): Promise<GroupJoinResult> {
    const timings: JoinTimings[] = [];
    const failures: string[] = [];
    let failed = 0;
    const joinOptions: JoinOptions = {
      onMessage: (message) => this.#onMessage(message),
      onLost: (code, reason) => {
        this.#lost++;
        if (this.#lostReasons.length < 10) this.#lostReasons.push(`${code} ${reason}`);
      },
      ...(options.suppressConnectionEvents ? { suppressConnectionEvents: true } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    };
    await mapConcurrently(targets, options.concurrency, async (target) => {
      try {
        const { client, timings: joinTimings } = await SignalingLoadClient.join(target, joinOptions);
        this.#clients.push(client);
        timings.push(joinTimings);
      } catch (error) {
        failed++;
        if (failures.length < 20) failures.push(error instanceof Error ? error.message : String(error));
      }
    });
    return { joined: timings.length, failed, failures, timings };
  }

  /**
   * Has the first client send `count` signals to the whole session, one every `intervalMs` (without
   * waiting for the previous STATUS, as a chatty app would), each carrying its send time.
   */
  async sendSignals(count: number, intervalMs: number): Promise<SignalRun> {
    const sender = this.#clients[0];
    if (!sender) throw new Error('this group has no joined client to signal from');
    const started = performance.now();
    const replies: Promise<number>[] = [];
    for (let seq = 0; seq < count; seq++) {
      const due = started + seq * intervalMs;
      // A timer can fire up to a millisecond early by `performance.now()` (libuv keeps its loop time in
      // whole milliseconds): wait again until the signal is really due, so the pacing never runs ahead.
      for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
      }
      const payload: FanoutPayload = { seq, sentAt: wallClock() };
      replies.push(sender.signal(FANOUT_SIGNAL_TYPE, JSON.stringify(payload)).catch(() => 0));
    }
    const statuses = await Promise.all(replies);
    return {
      sent: count,
      failed: statuses.filter((status) => status !== 200).length,
      durationMs: performance.now() - started,
    };
  }

  /** The fan-out receipts recorded since the last call (and forgets them). */
  takeReceipts(): Receipts {
    const receipts: Receipts = {
      latenciesMs: this.#latencies,
      perSignal: Object.fromEntries(this.#perSignal),
    };
    this.#latencies = [];
    this.#perSignal = new Map();
    return receipts;
  }

  /** Disconnects every client. */
  close(): void {
    for (const client of this.#clients.splice(0)) client.close();
  }

  #onMessage({ receivedAt, from, to, message }: InboundMessage): void {
    if (message.method !== 'signal' || message.content.type !== FANOUT_SIGNAL_TYPE) return;
    // The sender receives its own signals too; only the other clients' receipts are fan-out.
    if (from === to) return;
    const payload = JSON.parse(String(message.content.data)) as FanoutPayload;
    this.#latencies.push(receivedAt - payload.sentAt);
    this.#perSignal.set(payload.seq, (this.#perSignal.get(payload.seq) ?? 0) + 1);
  }
}
