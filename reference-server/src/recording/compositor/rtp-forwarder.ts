/**
 * Sends the RTP packets of a recording's tracks to ffmpeg's loopback ports, rewriting each packet's
 * payload type to the one the SDP declares (the publisher's negotiated payload type can be anything).
 * It also notes when each track last delivered a packet, so a recorder can tell a stalled track (a
 * muted or frozen publisher) from a live one.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { MediaKind } from '../../sfu/types.js';
import type { MediaSource } from '../media-source.js';

/** The most packets held while ffmpeg starts (≈ 10 s of a 16-stream recording). */
export const MAX_HELD_PACKETS = 20_000;

/**
 * Held packets are sent in batches of this many, one batch per event-loop turn: seconds of media sent
 * in one go would overflow ffmpeg's socket buffers (≈ 200 KB) on a busy machine, and every packet lost
 * at the start delays the first decodable frame.
 */
const FLUSH_BATCH = 64;

/** One track to forward. */
export interface ForwardedTrack {
  streamId: string;
  kind: MediaKind;
  /** ffmpeg's RTP port for it. */
  port: number;
  /** The payload type the SDP declares for it. */
  payloadType: number;
}

/** Forwards tracks from a {@link MediaSource} to ffmpeg until {@link close}. */
export class RtpForwarder {
  readonly #socket: Socket;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #lastPacketAt = new Map<string, number>();
  #packets = 0;
  #closed = false;
  /** Packets held until ffmpeg listens (null once flushed). */
  #held: Array<{ packet: Buffer; port: number }> | null;

  /**
   * @param ready Resolves when ffmpeg has bound its ports. Until then packets are held (up to
   *   {@link MAX_HELD_PACKETS}) and then sent in order: ffmpeg times media by RTP timestamps, so the
   *   recording starts when the forwarder was created, not when ffmpeg finished starting up.
   */
  constructor(
    source: MediaSource,
    tracks: readonly ForwardedTrack[],
    ready: Promise<unknown> = Promise.resolve(),
  ) {
    this.#held = [];
    void ready.then(
      () => this.#flush(),
      () => this.#flush(),
    );
    this.#socket = createSocket('udp4');
    // ICMP "port unreachable" (ffmpeg not bound yet, or gone) must not crash the server.
    this.#socket.on('error', () => undefined);
    for (const track of tracks) {
      const key = `${track.streamId}/${track.kind}`;
      this.#unsubscribe.push(
        source.subscribe(track.streamId, track.kind, (packet) => {
          if (this.#closed || packet.length < 12) return;
          const copy = Buffer.from(packet);
          // Byte 1 is marker bit (top) + payload type (low 7 bits).
          copy[1] = ((copy[1] ?? 0) & 0x80) | (track.payloadType & 0x7f);
          this.#packets += 1;
          this.#lastPacketAt.set(key, Date.now());
          if (this.#held) {
            if (this.#held.length < MAX_HELD_PACKETS) this.#held.push({ packet: copy, port: track.port });
          } else {
            this.#socket.send(copy, track.port, '127.0.0.1');
          }
        }),
      );
    }
  }

  /** How many packets were forwarded. */
  get packets(): number {
    return this.#packets;
  }

  /** When a track last delivered a packet (ms since the epoch), or undefined if it never did. */
  lastPacketAt(streamId: string, kind: MediaKind): number | undefined {
    return this.#lastPacketAt.get(`${streamId}/${kind}`);
  }

  /** Sends the held packets in order; packets arriving meanwhile queue behind them. */
  #flush(): void {
    const held = this.#held;
    if (!held || this.#closed) {
      this.#held = null;
      return;
    }
    for (const { packet, port } of held.splice(0, FLUSH_BATCH)) this.#socket.send(packet, port, '127.0.0.1');
    if (held.length > 0) setImmediate(() => this.#flush());
    else this.#held = null;
  }

  /** Stops forwarding. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#socket.close();
  }
}
