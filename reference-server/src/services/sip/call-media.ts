/**
 * The media of one SIP call. The session's audio is mixed at 8 kHz (the rate of G.711, and plenty for a
 * phone line).
 *
 * Session → callee: the Opus audio of the session's streams (every stream but the call's own, or only
 * `sip.streams`; at most 50 at a time) is decoded to PCM, mixed, encoded to the codec the callee chose —
 * G.711 µ-law or A-law every 20 ms, or Opus as the encoder produces 20 ms packets — and sent as RTP. DTMF
 * digits replace the audio with RFC 4733 events while they play.
 *
 * Callee → session: the callee's G.711 RTP is decoded to PCM, encoded to Opus and published as the call's
 * stream; Opus from the callee is published as it is, without transcoding. While the call is
 * force-muted (with `observeForceMute`) its audio is dropped.
 *
 * The building blocks are the Audio Connector's: {@link OpusPcmDecoder}, {@link PcmMixer},
 * {@link FramePacer}, {@link PcmOpusEncoder} and the {@link OpusPublisher} the call's stream was published with.
 */
import type { MediaSource, SourceStream } from '../../recording/media-source.js';
import { FramePacer } from '../audio-connector/frame-pacer.js';
import type { OpusPublisher } from '../audio-connector/opus-publisher.js';
import { OpusPcmDecoder } from '../audio-connector/pcm-decoder.js';
import { PcmOpusEncoder } from '../audio-connector/pcm-encoder.js';
import { PcmMixer } from '../audio-connector/pcm-mixer.js';
import { type DtmfTick, digitOfEvent, dtmfSchedule, telephoneEventPayload } from './dtmf.js';
import { decodeG711, encodeG711, type G711Law } from './g711.js';
import type { InboundRtp, RtpEndpoint } from './rtp.js';
import type { SdpAnswerMedia } from './sdp.js';

/** The mixing rate (G.711's), and 20 ms of it. */
const RATE = 8000;
const FRAME_SAMPLES = 160;

/** The most streams mixed at once (as the Audio Connector). */
export const MAX_SIP_MIXED_STREAMS = 50;

/** What the media runs on. */
export interface CallMediaParts {
  rtp: RtpEndpoint;
  /** The session's media; null when none passes through this server (then silence is sent). */
  source: MediaSource | null;
  /** The streams the callee hears; null for all. */
  streams: readonly string[] | null;
  /** The call's own connection, whose stream is never sent back to it. */
  connectionId: string;
  publisher: OpusPublisher;
  /** Receives each DTMF digit the callee sends (RFC 4733), once per event. */
  onDigit?: (digit: string) => void;
  ffmpegPath?: string;
  warn: (details: Record<string, unknown>, message: string) => void;
}

interface Mixed {
  decoder: OpusPcmDecoder;
  unsubscribe: () => void;
}

/** See the file comment. */
export class CallMedia {
  readonly #parts: CallMediaParts;
  readonly #mixer = new PcmMixer({ frameSamples: FRAME_SAMPLES });
  readonly #pacer = new FramePacer({ periodMs: 20, onTick: () => this.#tick() });
  readonly #mixed = new Map<string, Mixed>();
  readonly #dtmf: DtmfTick[] = [];
  /** Callee → session: G.711 PCM to Opus (not needed when the callee sends Opus). */
  #encoder: PcmOpusEncoder | null = null;
  /** Session → callee when the callee chose Opus. */
  #opusOut: PcmOpusEncoder | null = null;
  #opusTimestamp = 0;
  /** Whether a DTMF event is being sent (Opus packets are held back meanwhile). */
  #inEvent = false;
  #answer: SdpAnswerMedia | null = null;
  #timestamp = (Math.random() * 0xffffffff) >>> 0;
  #eventTimestamp = 0;
  #detach: (() => void) | null = null;
  #muted = false;
  #stopped = false;
  /** The RTP timestamp of the last event received, so its repeated packets count once. */
  #lastEventTimestamp: number | null = null;
  /** When RTP last arrived (ms, `performance.now()`), for the media timeout. */
  lastReceivedAt = performance.now();

  constructor(parts: CallMediaParts) {
    this.#parts = parts;
  }

  /** Starts sending to and receiving from the callee of `answer`. */
  start(answer: SdpAnswerMedia): void {
    if (this.#stopped) return;
    this.#answer = answer;
    this.#parts.rtp.setRemote(answer.address, answer.port);
    this.lastReceivedAt = performance.now();
    const { publisher } = this.#parts;
    if (answer.codec === 'opus') {
      this.#opusTimestamp = this.#timestamp;
      this.#opusOut = new PcmOpusEncoder({
        sampleRate: RATE,
        ffmpegPath: this.#parts.ffmpegPath,
        onPacket: (packet) => this.#sendOpus(packet),
        onFailure: (reason) => this.#parts.warn({ reason }, 'The SIP call Opus encoder stopped'),
      });
    } else {
      this.#encoder = new PcmOpusEncoder({
        sampleRate: RATE,
        ffmpegPath: this.#parts.ffmpegPath,
        onPacket: (packet) => publisher.sendOpus(packet),
        onFailure: (reason) => this.#parts.warn({ reason }, 'The SIP call encoder stopped'),
      });
    }
    if (this.#parts.source) this.#follow(this.#parts.source);
    this.#pacer.start();
  }

  /** Applies a new SDP from the callee (a re-INVITE): its address; the codec stays the negotiated one. */
  update(offer: SdpAnswerMedia): void {
    const answer = this.#answer;
    if (!answer) return;
    this.#answer = { ...answer, address: offer.address, port: offer.port, direction: offer.direction };
    this.#parts.rtp.setRemote(offer.address, offer.port);
  }

  /** Drops (true) or passes (false) the callee's audio into the session. */
  set muted(muted: boolean) {
    this.#muted = muted;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /**
   * Queues digits (validated by the caller) to play after those already queued. Returns false, playing
   * nothing, when the callee did not negotiate telephone events; digits queued before the answer play
   * once it comes.
   */
  playDtmf(digits: string): boolean {
    if (this.#answer && this.#answer.telephoneEvent === null) return false;
    this.#dtmf.push(...dtmfSchedule(digits));
    return true;
  }

  /** Handles one packet from the callee. */
  receive(packet: InboundRtp): void {
    this.lastReceivedAt = performance.now();
    const answer = this.#answer;
    if (!answer) return;
    if (packet.payloadType === answer.telephoneEvent) {
      // An event's packets share its timestamp (RFC 4733 §2.5.1): report it on the first one seen.
      if (packet.timestamp === this.#lastEventTimestamp || packet.payload.length < 4) return;
      this.#lastEventTimestamp = packet.timestamp;
      const digit = digitOfEvent(packet.payload[0] ?? -1);
      if (digit) this.#parts.onDigit?.(digit);
      return;
    }
    if (this.#muted) return;
    if (answer.codec === 'opus') {
      if (packet.payloadType === answer.payloadType)
        this.#parts.publisher.sendOpus(Buffer.from(packet.payload));
      return;
    }
    const law = lawOf(packet.payloadType, answer);
    if (!law || !this.#encoder) return; // Unknown payloads carry no audio Parley can use.
    const samples = decodeG711(packet.payload, law);
    this.#encoder.write(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  }

  /** Stops everything. Idempotent; resolves when the codecs have exited. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pacer.stop();
    this.#detach?.();
    const closing = [...this.#mixed.values()].map((mixed) => {
      mixed.unsubscribe();
      return mixed.decoder.close();
    });
    this.#mixed.clear();
    this.#parts.rtp.close();
    await Promise.all([...closing, this.#encoder?.close(), this.#opusOut?.close()]);
  }

  #tick(): void {
    const answer = this.#answer;
    const frame = this.#mixer.mixFrame();
    if (!answer) return;
    const samplesPerTick = answer.clockRate / 50;
    const timestamp = this.#timestamp;
    this.#timestamp = (this.#timestamp + samplesPerTick) >>> 0;
    const next = answer.telephoneEvent === null ? undefined : this.#dtmf.shift();
    this.#inEvent = next?.kind === 'event';
    // Opus keeps encoding through events (its packets are held back), so the audio resumes seamlessly.
    this.#opusOut?.write(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
    if (next?.kind === 'event' && answer.telephoneEvent !== null) {
      if (next.start) this.#eventTimestamp = timestamp;
      const payload = telephoneEventPayload(next.event, next.end, next.ticks * samplesPerTick);
      const packet = {
        payloadType: answer.telephoneEvent,
        marker: next.start,
        timestamp: this.#eventTimestamp,
        payload,
      };
      // The end packet is sent three times, so one loss does not leave the tone playing (§2.5.1.4).
      for (let i = 0; i < (next.end ? 3 : 1); i++) this.#parts.rtp.send(packet);
      return;
    }
    if (answer.codec === 'opus') return; // Opus packets leave as the encoder makes them.
    this.#parts.rtp.send({
      payloadType: answer.payloadType,
      marker: false,
      timestamp,
      payload: encodeG711(frame, answer.codec),
    });
  }

  /** Sends one 20 ms Opus packet to the callee (none while a DTMF event plays). */
  #sendOpus(packet: Buffer): void {
    const answer = this.#answer;
    const timestamp = this.#opusTimestamp;
    this.#opusTimestamp = (this.#opusTimestamp + 960) >>> 0;
    if (!answer || this.#inEvent || this.#stopped) return;
    this.#parts.rtp.send({ payloadType: answer.payloadType, marker: false, timestamp, payload: packet });
  }

  #follow(source: MediaSource): void {
    const added = (stream: SourceStream) => this.#consider(source, stream);
    const removed = (streamId: string) => this.#drop(source, streamId);
    source.on('streamAdded', added).on('streamUpdated', added).on('streamRemoved', removed);
    this.#detach = () => {
      source.off('streamAdded', added).off('streamUpdated', added).off('streamRemoved', removed);
    };
    for (const stream of source.streams()) this.#consider(source, stream);
  }

  #consider(source: MediaSource, stream: SourceStream): void {
    const { streams, connectionId } = this.#parts;
    if (this.#stopped || this.#mixed.has(stream.streamId) || !stream.audio) return;
    if (stream.connectionId === connectionId) return;
    if (streams !== null && !streams.includes(stream.streamId)) return;
    if (this.#mixed.size >= MAX_SIP_MIXED_STREAMS) return;
    const id = stream.streamId;
    this.#mixer.addInput(id);
    const decoder = new OpusPcmDecoder({
      sampleRate: RATE,
      ffmpegPath: this.#parts.ffmpegPath,
      onPcm: (samples) => this.#mixer.push(id, samples),
      onFailure: (reason) => this.#parts.warn({ streamId: id, reason }, 'A SIP call decoder stopped'),
    });
    const unsubscribe = source.subscribe(id, 'audio', (packet) => decoder.pushRtp(packet));
    this.#mixed.set(id, { decoder, unsubscribe });
  }

  #drop(source: MediaSource, streamId: string): void {
    const mixed = this.#mixed.get(streamId);
    if (!mixed) return;
    this.#mixed.delete(streamId);
    mixed.unsubscribe();
    void mixed.decoder.close();
    this.#mixer.removeInput(streamId);
    for (const stream of source.streams()) this.#consider(source, stream);
  }
}

/** The law of a received payload type: the negotiated one, or G.711's static types. */
function lawOf(payloadType: number, answer: SdpAnswerMedia): G711Law | null {
  if (payloadType === answer.payloadType && answer.codec !== 'opus') return answer.codec;
  if (payloadType === 0) return 'pcmu';
  if (payloadType === 8) return 'pcma';
  return null;
}
