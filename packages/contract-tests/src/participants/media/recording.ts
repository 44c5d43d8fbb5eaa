/**
 * The participants' media source: the fixtures packetized once into RTP payloads, then replayed in real
 * time, looping, with sequence numbers and timestamps that continue across loops — so the target sees one
 * endless, well-formed stream, as it would from a camera and a microphone.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OpusPacketizer, RtpHeader, RtpPacket, Vp8Packetizer } from 'werift';
import { type EncodedFrame, readIvf, readOggOpus } from './containers.js';

/** The kinds of media a participant sends. */
export type MediaKind = 'audio' | 'video';

/** One packet of a recording, relative to its start. */
export interface RecordedPacket {
  payload: Buffer;
  marker: boolean;
  /** RTP timestamp offset from the start of the recording, in clock-rate units. */
  timestamp: number;
  /** When to send it, in seconds from the start of the recording. */
  time: number;
}

/** A packetized recording that loops. */
export interface Recording {
  kind: MediaKind;
  clockRate: number;
  packets: readonly RecordedPacket[];
  /** Length of one loop in seconds (the last frame's time plus one frame interval). */
  duration: number;
}

/** Packetizes frames into a loopable recording. */
export function packetizeRecording(
  kind: MediaKind,
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

const FIXTURES = new URL('./fixtures/', import.meta.url);
let cached: Record<MediaKind, Recording> | undefined;

/** The bundled VP8 and Opus recordings (read and packetized once per process). */
export function fixtureRecordings(): Record<MediaKind, Recording> {
  if (cached) return cached;
  const read = (name: string): Buffer => readFileSync(fileURLToPath(new URL(name, FIXTURES)));
  // The payload type is rewritten by each sender to the one it negotiated.
  const vp8 = new Vp8Packetizer({ payloadType: 96 });
  const opus = new OpusPacketizer({ payloadType: 111 });
  cached = {
    video: packetizeRecording('video', readIvf(read('testsrc-vp8.ivf'), 'testsrc-vp8.ivf'), 90_000, (d, ts) =>
      vp8.packetize(d, ts),
    ),
    audio: packetizeRecording('audio', readOggOpus(read('sine-opus.ogg'), 'sine-opus.ogg'), 48_000, (d, ts) =>
      opus.packetize(d, ts),
    ),
  };
  return cached;
}

/**
 * Replays a recording: {@link due} hands over the packets whose time has come. Sequence numbers and
 * timestamps start at random values (as a real sender's do) and continue across loops.
 */
export class RecordingPlayer {
  readonly #recording: Recording;
  readonly #loopTicks: number;
  /** Index of the next packet, counting across loops. */
  #next = 0;
  #sequenceNumber: number;
  readonly #timestampBase: number;

  constructor(recording: Recording) {
    if (recording.packets.length === 0) throw new Error(`the ${recording.kind} recording has no packets`);
    this.#recording = recording;
    this.#loopTicks = Math.round(recording.duration * recording.clockRate);
    this.#sequenceNumber = Math.floor(Math.random() * 0x10000);
    this.#timestampBase = Math.floor(Math.random() * 0x7fffffff);
  }

  /** Calls `send` with a fresh packet for each one due `elapsed` seconds after the player started. */
  due(elapsed: number, send: (packet: RtpPacket) => void): number {
    const { packets, duration } = this.#recording;
    let sent = 0;
    for (;;) {
      const loop = Math.floor(this.#next / packets.length);
      const recorded = packets[this.#next % packets.length] as RecordedPacket;
      if (loop * duration + recorded.time > elapsed) return sent;
      const header = new RtpHeader({
        sequenceNumber: this.#sequenceNumber,
        timestamp: (this.#timestampBase + loop * this.#loopTicks + recorded.timestamp) >>> 0,
        marker: recorded.marker,
        payloadType: 96,
      });
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
      this.#next++;
      sent++;
      send(new RtpPacket(header, recorded.payload));
    }
  }
}
