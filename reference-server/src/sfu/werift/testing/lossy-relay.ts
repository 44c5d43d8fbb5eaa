/**
 * Test-only: a lossy UDP relay on 127.0.0.1 between a WebRTC peer (a browser) and the engine, to test
 * loss resilience where `tc netem` is unavailable (media-stack-notes §6).
 *
 * Two sockets per leg, like a symmetric NAT: the peer is told the engine is at `peerFacingPort`, the
 * engine is told the peer is at `engineFacingPort`, so every datagram of both directions (STUN, DTLS,
 * SRTP, SRTCP) crosses the relay, and each side sees the other's packets come from the address it was
 * given. Each datagram is dropped with probability `lossRate`, else delayed by `baseDelayMs` plus a
 * uniform jitter up to `jitterMs`. By default a datagram never overtakes the one before it (the delay
 * varies, the order holds, as on a real path); `reorder: true` lets them overtake, as netem's jitter
 * does. Drops and delays come from a seeded PRNG: the same seed gives the same decisions for the same
 * packet sequence.
 *
 * A direction can also be a bottleneck link ({@link LossyUdpRelay.setRateLimit}): datagrams leave one
 * after another at the link's rate, wait in a drop-tail queue while the link is busy, and are dropped
 * when the queue already holds more than `maxQueueMs` of traffic, as a real congested link does (the
 * queueing delay is what a receiver's delay-based estimator sees, the drops what its loss reports count).
 * The link is deterministic: the same datagrams at the same times give the same drops.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** Loss and delay of a {@link LossyUdpRelay}. */
export interface LossyRelayOptions {
  /** Probability of dropping a datagram (0–1). */
  lossRate: number;
  /** The largest extra delay, in ms, added uniformly at random to each datagram. */
  jitterMs: number;
  /** A fixed delay added to every datagram, in ms. Default 0. */
  baseDelayMs?: number;
  /** Seed of the PRNG that decides drops and delays. */
  seed: number;
  /** Let a datagram overtake earlier ones when its delay is shorter. Default false. */
  reorder?: boolean;
}

/** A bottleneck on one direction of a {@link LossyUdpRelay}. */
export interface RelayRateLimit {
  /** The link's rate, counted over the UDP payloads (no IP/UDP headers). */
  bitsPerSecond: number;
  /** The most queueing delay the link holds; a datagram that would wait longer is dropped. */
  maxQueueMs: number;
}

/** Counters of one direction. */
export interface RelayDirectionStats {
  received: number;
  /** Datagrams dropped, by random loss or by a full bottleneck queue. */
  dropped: number;
  /** Of {@link dropped}, those a full bottleneck queue dropped. */
  overflowed: number;
  forwarded: number;
}

/** The state of one direction's bottleneck. */
interface Bottleneck extends RelayRateLimit {
  /** When the link finishes sending what it already holds (performance.now() time). */
  freeAt: number;
}

/** One direction's datagrams waiting for their departure time, in order (used unless `reorder`). */
interface DirectionQueue {
  items: { departure: number; send: () => void }[];
  lastDeparture: number;
  timer: NodeJS.Timeout | undefined;
}

/** mulberry32: a small, well-distributed 32-bit PRNG, deterministic for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One leg's relay. Create with {@link LossyUdpRelay.open}; close when done. */
export class LossyUdpRelay {
  readonly #toPeer: Socket;
  readonly #toEngine: Socket;
  readonly #random: () => number;
  readonly #options: LossyRelayOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #queues = new Map<RelayDirectionStats, DirectionQueue>();
  readonly #bottlenecks = new Map<RelayDirectionStats, Bottleneck>();
  #enginePort: number | undefined;
  #peer: { address: string; port: number } | undefined;
  #closed = false;
  /** Peer → engine and engine → peer counters. */
  readonly upstream: RelayDirectionStats = { received: 0, dropped: 0, overflowed: 0, forwarded: 0 };
  readonly downstream: RelayDirectionStats = { received: 0, dropped: 0, overflowed: 0, forwarded: 0 };

  private constructor(toPeer: Socket, toEngine: Socket, options: LossyRelayOptions) {
    this.#toPeer = toPeer;
    this.#toEngine = toEngine;
    this.#options = options;
    this.#random = seededRandom(options.seed);
    toPeer.on('message', (message, from) => this.#fromPeer(message, from));
    toEngine.on('message', (message) => this.#fromEngine(message));
  }

  /** Binds the relay's two sockets on 127.0.0.1 (ports chosen by the system). */
  static async open(options: LossyRelayOptions): Promise<LossyUdpRelay> {
    if (!(options.lossRate >= 0 && options.lossRate < 1)) throw new RangeError('lossRate must be in [0, 1)');
    if (!(options.jitterMs >= 0)) throw new RangeError('jitterMs must be ≥ 0');
    const bind = async (): Promise<Socket> => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, '127.0.0.1', () => {
          socket.off('error', reject);
          resolve();
        });
      });
      return socket;
    };
    return new LossyUdpRelay(await bind(), await bind(), options);
  }

  /** The port the peer must send to (advertise it to the peer as the engine's candidate). */
  get peerFacingPort(): number {
    return this.#toPeer.address().port;
  }

  /** The port the engine must send to (advertise it to the engine as the peer's candidate). */
  get engineFacingPort(): number {
    return this.#toEngine.address().port;
  }

  /** Where the engine really listens (its candidate's port); datagrams from the peer go there. */
  setEnginePort(port: number): void {
    this.#enginePort = port;
  }

  /**
   * Makes one direction a bottleneck link (`upstream`: peer → engine, `downstream`: engine → peer), or
   * lifts it (`undefined`; datagrams already queued still leave at their time). Applies from the next
   * datagram on.
   */
  setRateLimit(direction: 'upstream' | 'downstream', limit: RelayRateLimit | undefined): void {
    const stats = direction === 'upstream' ? this.upstream : this.downstream;
    if (limit === undefined) {
      this.#bottlenecks.delete(stats);
      return;
    }
    if (!(Number.isFinite(limit.bitsPerSecond) && limit.bitsPerSecond > 0))
      throw new RangeError('limit.bitsPerSecond must be a positive number');
    if (!(Number.isFinite(limit.maxQueueMs) && limit.maxQueueMs >= 0))
      throw new RangeError('limit.maxQueueMs must be a number ≥ 0');
    const freeAt = this.#bottlenecks.get(stats)?.freeAt ?? 0;
    this.#bottlenecks.set(stats, { ...limit, freeAt });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const queue of this.#queues.values()) clearTimeout(queue.timer);
    this.#queues.clear();
    this.#toPeer.close();
    this.#toEngine.close();
  }

  #fromPeer(message: Buffer, from: RemoteInfo): void {
    // Replies go to wherever the peer last sent from (its ICE may try several of its sockets).
    this.#peer = { address: from.address, port: from.port };
    this.upstream.received++;
    const port = this.#enginePort;
    if (port === undefined) return;
    this.#maybeSend(this.upstream, message.length, () => this.#toEngine.send(message, port, '127.0.0.1'));
  }

  #fromEngine(message: Buffer): void {
    this.downstream.received++;
    const peer = this.#peer;
    if (peer === undefined) return;
    this.#maybeSend(this.downstream, message.length, () =>
      this.#toPeer.send(message, peer.port, peer.address),
    );
  }

  #maybeSend(stats: RelayDirectionStats, bytes: number, send: () => void): void {
    if (this.#random() < this.#options.lossRate) {
      stats.dropped++;
      return;
    }
    const now = performance.now();
    let departure = now + (this.#options.baseDelayMs ?? 0) + this.#random() * this.#options.jitterMs;
    const bottleneck = this.#bottlenecks.get(stats);
    if (bottleneck !== undefined) {
      // The datagram enters the link when it reaches it (after its path delay) and the link is free.
      const start = Math.max(departure, bottleneck.freeAt);
      if (start - departure > bottleneck.maxQueueMs) {
        stats.dropped++;
        stats.overflowed++;
        return;
      }
      bottleneck.freeAt = start + (bytes * 8 * 1000) / bottleneck.bitsPerSecond;
      departure = bottleneck.freeAt;
    }
    const forward = (): void => {
      stats.forwarded++;
      send();
    };
    if (this.#options.reorder === true) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (!this.#closed) forward();
      }, departure - now);
      this.#timers.add(timer);
      return;
    }
    // In order: a datagram leaves no earlier than the one before it. One timer per direction drains a
    // FIFO queue (separate timers of nearly equal expiry may fire out of order).
    let queue = this.#queues.get(stats);
    if (!queue) {
      queue = { items: [], lastDeparture: 0, timer: undefined };
      this.#queues.set(stats, queue);
    }
    queue.lastDeparture = Math.max(departure, queue.lastDeparture);
    queue.items.push({ departure: queue.lastDeparture, send: forward });
    if (queue.timer === undefined) this.#drainLater(queue);
  }

  #drainLater(queue: DirectionQueue): void {
    const head = queue.items[0];
    if (head === undefined || this.#closed) return;
    queue.timer = setTimeout(
      () => {
        queue.timer = undefined;
        if (this.#closed) return;
        const now = performance.now();
        let due = 0;
        // Timers may fire up to a millisecond early or late: send everything due within 1 ms.
        while (due < queue.items.length && (queue.items[due]?.departure ?? 0) <= now + 1) due++;
        for (const item of queue.items.splice(0, Math.max(due, 1))) item.send();
        this.#drainLater(queue);
      },
      Math.max(0, head.departure - performance.now()),
    );
  }
}

/** Points every candidate of an SDP at `port` on 127.0.0.1 (the engine's SDP, shown to the browser). */
export function candidatesToPort(sdp: string, port: number): string {
  return sdp.replace(
    /^(a=candidate:\S+ \d+ udp \d+ )\S+ \d+( typ host.*)$/gim,
    (_line, head: string, tail: string) => `${head}127.0.0.1 ${port}${tail}`,
  );
}

/**
 * Replaces a browser SDP's candidates with one host candidate at `port` on 127.0.0.1 in every
 * m-section (the browser's SDP, shown to the engine).
 */
export function replaceCandidates(sdp: string, port: number): string {
  const lines = sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:'));
  const out: string[] = [];
  for (const line of lines) {
    out.push(line);
    if (line.startsWith('a=mid:')) out.push(`a=candidate:1 1 udp 2130706431 127.0.0.1 ${port} typ host`);
  }
  return out.join('\r\n');
}

/** The port of an SDP's first UDP host candidate. */
export function firstCandidatePort(sdp: string): number {
  const match = /^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/im.exec(sdp);
  if (!match?.[1]) throw new Error('The SDP has no UDP host candidate');
  return Number(match[1]);
}
