/**
 * Pre-encoded media for load clients: the SFU test fixtures (VP8 320x240 at 15 fps, Opus 20 ms frames)
 * packetized once into RTP payloads, then replayed in a loop with sequence numbers and timestamps that
 * continue across loops, so the SFU and the subscribers see one endless, well-formed stream.
 */
import { fileURLToPath } from 'node:url';
import { OpusPacketizer, RtpHeader, RtpPacket, Vp8Packetizer } from 'werift';
import { type EncodedFrame, readIvf, readOggOpus } from '../sfu/werift/testing/media-files.js';

const FIXTURES = fileURLToPath(new URL('../sfu/werift/fixtures/', import.meta.url));

/** One packet of a recording, relative to the start of the recording. */
export interface RecordedPacket {
  payload: Buffer;
  marker: boolean;
  /** RTP timestamp offset from the start, in clock-rate units. */
  timestamp: number;
  /** When to send it, in seconds from the start. */
  time: number;
}

/** A packetized recording that loops. */
export interface Recording {
  kind: 'audio' | 'video';
  clockRate: number;
  packets: readonly RecordedPacket[];
  /** Length of one loop in seconds (the last frame's time plus one frame interval). */
  duration: number;
}

function record(
  kind: Recording['kind'],
  frames: readonly EncodedFrame[],
  clockRate: number,
  packetize: (data: Buffer, timestamp: number) => RtpPacket[],
): Recording {
  const interval = frames.length > 1 ? (frames[1]?.time ?? 0) - (frames[0]?.time ?? 0) : 0.02;
  const packets = frames.flatMap((frame) => {
    const timestamp = Math.round(frame.time * clockRate);
    return packetize(frame.data, timestamp).map((packet) => ({
      payload: packet.payload,
      marker: packet.header.marker,
      timestamp,
      time: frame.time,
    }));
  });
  return { kind, clockRate, packets, duration: (frames.at(-1)?.time ?? 0) + interval };
}

let cached: { video: Recording; audio: Recording } | undefined;

/** The VP8 and Opus recordings (read and packetized once per process). */
export function fixtureRecordings(): { video: Recording; audio: Recording } {
  if (cached) return cached;
  const vp8 = new Vp8Packetizer({ payloadType: 96 });
  const opus = new OpusPacketizer({ payloadType: 111 });
  cached = {
    video: record('video', readIvf(`${FIXTURES}testsrc-vp8.ivf`), 90_000, (d, ts) => vp8.packetize(d, ts)),
    audio: record('audio', readOggOpus(`${FIXTURES}sine-opus.ogg`), 48_000, (d, ts) => opus.packetize(d, ts)),
  };
  return cached;
}

/**
 * Replays a recording: {@link due} yields the packets whose time has come. One RTP packet object is
 * reused for every packet: the werift sender copies what it is given before its first await, so the
 * replayer allocates nothing per packet.
 */
export class RecordingPlayer {
  readonly #recording: Recording;
  readonly #packet: RtpPacket;
  readonly #loopTicks: number;
  /** Index of the next packet, counting across loops. */
  #next: number;
  #sequenceNumber: number;
  readonly #timestampBase: number;
  readonly #startIndex: number;

  /**
   * @param startFraction - where in the recording to begin (0–1), so that many players do not send
   *   their keyframes in the same instant.
   */
  constructor(recording: Recording, ssrc: number, startFraction = 0) {
    this.#recording = recording;
    this.#loopTicks = Math.round(recording.duration * recording.clockRate);
    this.#startIndex = Math.floor(Math.min(Math.max(startFraction, 0), 0.999) * recording.packets.length);
    this.#next = this.#startIndex;
    this.#sequenceNumber = Math.floor(Math.random() * 0xffff);
    this.#timestampBase = Math.floor(Math.random() * 0x7fffffff);
    this.#packet = new RtpPacket(new RtpHeader({ ssrc, payloadType: 96 }), Buffer.alloc(0));
  }

  /** Seconds of media from the start of the first loop to where this player begins. */
  get startOffset(): number {
    return this.#recording.packets[this.#startIndex]?.time ?? 0;
  }

  /**
   * Calls `send` with each packet due at `elapsed` seconds after the player started (the packet is
   * only valid during the call).
   */
  due(elapsed: number, send: (packet: RtpPacket) => void): number {
    const { packets, duration } = this.#recording;
    const total = packets.length;
    const now = elapsed + this.startOffset;
    let sent = 0;
    for (;;) {
      const loop = Math.floor(this.#next / total);
      const recorded = packets[this.#next % total] as RecordedPacket;
      if (loop * duration + recorded.time > now) return sent;
      const { header } = this.#packet;
      header.sequenceNumber = this.#sequenceNumber;
      header.timestamp = (this.#timestampBase + loop * this.#loopTicks + recorded.timestamp) >>> 0;
      header.marker = recorded.marker;
      this.#packet.payload = recorded.payload;
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
      this.#next++;
      sent++;
      send(this.#packet);
    }
  }
}
