/**
 * One running Audio Connector: a {@link SessionClient} in the session, an {@link AudioSocket} to the
 * customer's server, and the audio between them.
 *
 * Session → socket: the connector subscribes to the Opus RTP of the chosen streams (all streams when
 * `streams` is absent, including later ones, at most 50 at a time; never its own), decodes each to PCM
 * at `audioRate`, mixes them into one mono channel and sends a 20 ms frame every 20 ms, silence when no
 * stream is heard. Whenever the set of mixed streams or their audio state changes, a text event
 * `{ "event": "websocket:update", "content-type": …, "streams": [{ streamId, connectionId, audioActive }] }`
 * lists them all.
 *
 * Socket → session (bidirectional): PCM the server sends back is buffered, taken at real-time pace on
 * the same 20 ms clock, encoded to Opus and published as the connector's audio-only stream.
 *
 * The connector ends when the socket closes (its connection leaves the session), when the session ends
 * its connection (force-disconnect, session closed: the socket is closed), or when the server stops.
 */
import type { MediaSource, SourceStream } from '../../recording/media-source.js';
import type { AudioSocket } from './audio-socket.js';
import { FramePacer } from './frame-pacer.js';
import type { OpusPublisher } from './opus-publisher.js';
import { OpusPcmDecoder } from './pcm-decoder.js';
import { PcmOpusEncoder } from './pcm-encoder.js';
import { PcmMixer } from './pcm-mixer.js';
import type { SessionClient } from './session-client.js';

/** The most streams mixed at once (Vonage's limit). */
export const MAX_MIXED_STREAMS = 50;

/** The most audio from the socket held for publishing: a minute; more is dropped. */
const MAX_INBOUND_SECONDS = 60;

/** What a connector does, from the request. */
export interface AudioConnectorSettings {
  id: string;
  audioRate: 8000 | 16_000 | 24_000;
  /** The streams to send; null for every stream. */
  streams: readonly string[] | null;
  bidirectional: boolean;
  /** The ID of the connector's own stream when bidirectional. */
  streamId: string;
}

/** What a connector runs on. */
export interface AudioConnectorParts {
  client: SessionClient;
  socket: AudioSocket;
  /** The session's media; null when none passes through this server (then only silence is sent). */
  source: MediaSource | null;
  ffmpegPath?: string;
  /** Reports failures that do not stop the connector (a decoder that died). */
  warn: (details: Record<string, unknown>, message: string) => void;
}

/** One mixed stream. */
interface MixedStream {
  stream: SourceStream;
  decoder: OpusPcmDecoder;
  unsubscribe: () => void;
}

/** See the file comment. */
export class AudioConnector {
  readonly settings: AudioConnectorSettings;
  readonly #parts: AudioConnectorParts;
  readonly #mixer: PcmMixer;
  readonly #pacer: FramePacer;
  readonly #mixed = new Map<string, MixedStream>();
  readonly #frameBytes: number;
  #encoder: PcmOpusEncoder | null = null;
  #publisher: OpusPublisher | null = null;
  #inbound: Buffer[] = [];
  #inboundBytes = 0;
  #detachSource: (() => void) | null = null;
  #stopped: Promise<void> | null = null;
  readonly #endedListeners: Array<() => void> = [];

  constructor(settings: AudioConnectorSettings, parts: AudioConnectorParts) {
    this.settings = settings;
    this.#parts = parts;
    const frameSamples = settings.audioRate / 50;
    this.#frameBytes = frameSamples * 2;
    this.#mixer = new PcmMixer({ frameSamples });
    this.#pacer = new FramePacer({ periodMs: 20, onTick: () => this.#tick() });
  }

  /** The connector's connection ID in the session. */
  get connectionId(): string {
    return this.#parts.client.connection.id;
  }

  /** The IDs of the streams being mixed now. */
  get mixedStreamIds(): readonly string[] {
    return [...this.#mixed.keys()];
  }

  /** Calls `listener` once the connector has stopped. */
  onEnded(listener: () => void): void {
    this.#endedListeners.push(listener);
  }

  /**
   * Starts the audio: publishes the connector's stream when bidirectional (rejects if that fails), then
   * follows the session's streams and starts the 20 ms clock.
   */
  async start(): Promise<void> {
    const { socket, client, source } = this.#parts;
    socket.onClose(() => void this.stop());
    if (this.settings.bidirectional) {
      this.#publisher = await client.publishAudio(this.settings.streamId, 'Audio Connector');
      const publisher = this.#publisher;
      this.#encoder = new PcmOpusEncoder({
        sampleRate: this.settings.audioRate,
        ffmpegPath: this.#parts.ffmpegPath,
        onPacket: (packet) => publisher.sendOpus(packet),
        onFailure: (reason) => this.#parts.warn({ reason }, 'The Audio Connector encoder stopped'),
      });
      socket.onAudio((pcm) => this.#queueInbound(pcm));
    }
    if (this.#stopped) return;
    if (source) this.#follow(source);
    this.#pacer.start();
  }

  /** Stops everything and leaves the session. Idempotent; resolves when the codecs have exited. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#pacer.stop();
      this.#detachSource?.();
      const decoders = [...this.#mixed.values()].map((mixed) => {
        mixed.unsubscribe();
        return mixed.decoder.close();
      });
      this.#mixed.clear();
      this.#parts.socket.close('The Audio Connector stopped');
      await Promise.all([...decoders, this.#encoder?.close(), this.#parts.client.leave()]);
      for (const listener of this.#endedListeners.splice(0)) listener();
    })();
    return this.#stopped;
  }

  #follow(source: MediaSource): void {
    const added = (stream: SourceStream) => this.#consider(source, stream);
    const updated = (stream: SourceStream) => {
      const mixed = this.#mixed.get(stream.streamId);
      if (!mixed) {
        this.#consider(source, stream);
        return;
      }
      const changed = mixed.stream.audioActive !== stream.audioActive;
      mixed.stream = stream;
      if (changed) this.#announce();
    };
    const removed = (streamId: string) => this.#drop(streamId, source);
    const closed = () => void this.stop();
    source.on('streamAdded', added).on('streamUpdated', updated).on('streamRemoved', removed);
    source.on('close', closed);
    this.#detachSource = () => {
      source.off('streamAdded', added).off('streamUpdated', updated).off('streamRemoved', removed);
      source.off('close', closed);
    };
    for (const stream of source.streams()) this.#consider(source, stream);
  }

  /** Starts mixing a stream if it is chosen, has audio and a slot is free. */
  #consider(source: MediaSource, stream: SourceStream): void {
    const { streams } = this.settings;
    if (this.#stopped || this.#mixed.has(stream.streamId) || !stream.audio) return;
    if (stream.connectionId === this.connectionId) return; // Never send the server its own audio back.
    if (streams !== null && !streams.includes(stream.streamId)) return;
    if (this.#mixed.size >= MAX_MIXED_STREAMS) return;
    const id = stream.streamId;
    this.#mixer.addInput(id);
    const decoder = new OpusPcmDecoder({
      sampleRate: this.settings.audioRate,
      ffmpegPath: this.#parts.ffmpegPath,
      onPcm: (samples) => this.#mixer.push(id, samples),
      onFailure: (reason) =>
        this.#parts.warn({ streamId: id, reason }, 'The Audio Connector decoder of a stream stopped'),
    });
    const unsubscribe = source.subscribe(id, 'audio', (packet) => decoder.pushRtp(packet));
    this.#mixed.set(id, { stream, decoder, unsubscribe });
    this.#announce();
  }

  /** Stops mixing a stream that ended, and lets a waiting stream take its slot. */
  #drop(streamId: string, source: MediaSource): void {
    const mixed = this.#mixed.get(streamId);
    if (!mixed) return;
    this.#mixed.delete(streamId);
    mixed.unsubscribe();
    void mixed.decoder.close();
    this.#mixer.removeInput(streamId);
    this.#announce();
    for (const stream of source.streams()) this.#consider(source, stream);
  }

  /** Tells the socket which streams it hears. */
  #announce(): void {
    this.#parts.socket.sendEvent({
      event: 'websocket:update',
      'content-type': `audio/l16;rate=${this.settings.audioRate}`,
      streams: [...this.#mixed.values()].map(({ stream }) => ({
        streamId: stream.streamId,
        connectionId: stream.connectionId,
        audioActive: stream.audioActive,
      })),
    });
  }

  #tick(): void {
    this.#parts.socket.sendAudio(this.#mixer.mixFrame());
    if (this.#encoder && this.#inboundBytes > 0) this.#encoder.write(this.#takeInbound(this.#frameBytes));
  }

  #queueInbound(pcm: Buffer): void {
    if (this.#inboundBytes + pcm.length > MAX_INBOUND_SECONDS * this.settings.audioRate * 2) return;
    this.#inbound.push(pcm);
    this.#inboundBytes += pcm.length;
  }

  /** Takes up to `bytes` of queued inbound PCM. */
  #takeInbound(bytes: number): Buffer {
    const taken: Buffer[] = [];
    let needed = Math.min(bytes, this.#inboundBytes);
    while (needed > 0) {
      const head = this.#inbound[0];
      if (!head) break;
      const part = head.subarray(0, needed);
      taken.push(part);
      needed -= part.length;
      this.#inboundBytes -= part.length;
      if (part.length === head.length) this.#inbound.shift();
      else this.#inbound[0] = head.subarray(part.length);
    }
    return Buffer.concat(taken);
  }
}
