/**
 * One SIP call: its connection and stream in the session (a {@link SessionClient} that already joined
 * and published), its signalling ({@link CallSignalling}) and its media ({@link CallMedia}).
 *
 * `start()` opens the transport to the dialled URI's host, binds the RTP socket on the advertised
 * address, and sends the INVITE. The call reports its progress as SIP monitoring events: `DIALING` when
 * the INVITE is sent, `RINGING` on a provisional response, `ACTIVE` on the answer, `ON_HOLD` when the
 * callee re-offers `sendonly`/`inactive` (and `ACTIVE` again on resume), and when it ends `HANGUP` (if it
 * was answered) then `callDestroyed` with the reason: the SIP status of a failed INVITE (a local `503`
 * when the host cannot be resolved or reached, `408` when nothing answers), `700` Normal Clearing when
 * either side hangs up, `703` Unexpected Clearing when the server shuts down, `704` Media Timeout when no
 * RTP arrives for 5 minutes, `705` Max Duration after 6 hours. Whatever ends it, the call's connection
 * leaves the session (other clients see `connectionDestroyed` and `streamDestroyed`).
 */
import type { OutboundMessage } from '../../realtime/session/types.js';
import type { MediaSource } from '../../recording/media-source.js';
import type { OpusPublisher } from '../audio-connector/opus-publisher.js';
import type { SessionClient } from '../audio-connector/session-client.js';
import { CallMedia } from './call-media.js';
import { CallSignalling } from './call-signalling.js';
import { RtpEndpoint } from './rtp.js';
import { buildOffer, parseAnswer, SdpError } from './sdp.js';
import type { SipTimers } from './transactions.js';
import { openSipTransport, type SipTransport, SipTransportError } from './transport.js';
import { parseSipUri, portOf, transportOf } from './uri.js';

/** A state of the `callUpdated` event. */
export type SipCallState = 'DIALING' | 'RINGING' | 'ON_HOLD' | 'ACTIVE' | 'HANGUP';

/** What a call reports, turned into `sipCallEvent` webhooks by the service. */
export type SipCallReport =
  | { event: 'callUpdated'; state: SipCallState }
  | { event: 'callDestroyed'; reasonCode: string; reasonMessage: string }
  | { event: 'muteForced' };

/** What the call does, from the request. */
export interface SipCallSettings {
  id: string;
  uri: string;
  from: string | null;
  headers: Readonly<Record<string, string>>;
  auth: { username: string; password: string } | null;
  observeForceMute: boolean;
  streams: readonly string[] | null;
  streamId: string;
}

/** Limits and network settings shared by every call. */
export interface SipCallLimits {
  /** Trusted CAs (PEM) for `transport=tls`, added to the system's. */
  tlsCa?: string | readonly string[];
  /** The address advertised in SIP and SDP; default the one routed to the callee. */
  advertisedAddress?: string;
  timers?: SipTimers;
  /** Connecting (TCP, TLS) may take this long. */
  connectTimeoutMs: number;
  /** The callee may ring this long. */
  ringTimeoutMs: number;
  /** The call ends after this long without RTP from the callee (5 minutes). */
  mediaTimeoutMs: number;
  /** The call ends after this long (6 hours). */
  maxDurationMs: number;
  ffmpegPath?: string;
}

/** What a call runs on. */
export interface SipCallParts {
  client: SessionClient;
  publisher: OpusPublisher;
  source: MediaSource | null;
  report: (report: SipCallReport) => void;
  warn: (details: Record<string, unknown>, message: string) => void;
}

/** How long a hang-up waits for the far end to answer its BYE or CANCEL before closing anyway. */
const HANGUP_GRACE_MS = 4000;

/** See the file comment. */
export class SipCall {
  readonly settings: SipCallSettings;
  readonly #parts: SipCallParts;
  readonly #limits: SipCallLimits;
  #transport: SipTransport | null = null;
  #signalling: CallSignalling | null = null;
  #media: CallMedia | null = null;
  #answered = false;
  #onHold = false;
  /** The callee's previous DTMF digit, for the `*6` mute toggle. */
  #lastDigit: string | null = null;
  #ended: Promise<void> | null = null;
  #maxDuration: NodeJS.Timeout | undefined;
  #mediaCheck: NodeJS.Timeout | undefined;
  readonly #endedListeners: Array<() => void> = [];

  constructor(settings: SipCallSettings, limits: SipCallLimits, parts: SipCallParts) {
    this.settings = settings;
    this.#limits = limits;
    this.#parts = parts;
  }

  /** The call's connection ID. */
  get connectionId(): string {
    return this.#parts.client.connection.id;
  }

  /** Calls `listener` once the call has ended. */
  onEnded(listener: () => void): void {
    this.#endedListeners.push(listener);
  }

  /** Places the call in the background; failures end it (see the file comment). */
  start(): void {
    void this.#place().catch((error: unknown) => {
      const reason = error instanceof SipTransportError ? error.message : String(error);
      this.#parts.warn({ reason }, 'A SIP call could not be placed');
      void this.end('503', 'Service Unavailable', false);
    });
    this.#maxDuration = setTimeout(() => void this.end('705', 'Max Duration'), this.#limits.maxDurationMs);
  }

  /** Queues DTMF digits; false when the callee cannot receive them (no telephone-event). */
  playDtmf(digits: string): boolean {
    return this.#media?.playDtmf(digits) ?? false;
  }

  /** Sees the messages the session sends the call's connection: force-mute of its stream. */
  sessionMessage(message: OutboundMessage): void {
    const content = message.content as { reason?: unknown; active?: unknown } | undefined;
    const ownStream = message.uri.endsWith(`/stream/${this.settings.streamId}`);
    if (message.method !== 'update' || !ownStream || content?.reason !== 'mute' || content.active !== true)
      return;
    if (!this.settings.observeForceMute) {
      // The SIP leg does not obey force-mute: it turns its audio back on, as a client that ignores it would.
      queueMicrotask(() => this.#parts.client.setAudioActive(this.settings.streamId, true));
      return;
    }
    // Obeying: the leg mutes as a client does, so every client sees the stream's audio turned off.
    if (this.#media) this.#media.muted = true;
    queueMicrotask(() => this.#parts.client.setAudioActive(this.settings.streamId, false));
    this.#parts.report({ event: 'muteForced' });
  }

  /**
   * Ends the call once: hangs up the SIP side when `signal` (BYE or CANCEL), leaves the session, stops
   * the media and reports `HANGUP` (if answered) and `callDestroyed`.
   */
  end(reasonCode: string, reasonMessage: string, signal = true): Promise<void> {
    this.#ended ??= (async () => {
      clearTimeout(this.#maxDuration);
      clearTimeout(this.#mediaCheck);
      if (this.#answered) this.#parts.report({ event: 'callUpdated', state: 'HANGUP' });
      this.#parts.report({ event: 'callDestroyed', reasonCode, reasonMessage });
      const leaving = this.#parts.client.leave();
      const media = this.#media?.stop();
      if (signal && this.#signalling) {
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, HANGUP_GRACE_MS);
        });
        await Promise.race([this.#signalling.hangup(), grace]);
        clearTimeout(timer);
      }
      this.#signalling?.close();
      this.#transport?.close();
      await Promise.all([leaving, media]);
      for (const listener of this.#endedListeners.splice(0)) listener();
    })();
    return this.#ended;
  }

  async #place(): Promise<void> {
    const limits = this.#limits;
    const uri = parseSipUri(this.settings.uri);
    const kind = transportOf(uri);
    const transport = await openSipTransport({
      kind,
      host: uri.host,
      port: portOf(uri, kind),
      connectTimeoutMs: limits.connectTimeoutMs,
      ...(limits.tlsCa ? { tlsCa: limits.tlsCa } : {}),
      ...(limits.advertisedAddress ? { advertisedAddress: limits.advertisedAddress } : {}),
    });
    this.#transport = transport;
    if (this.#ended) {
      transport.close();
      return;
    }
    // An advertised address may not be on this host (a NAT's public address): RTP then binds to every one.
    const advertised = limits.advertisedAddress;
    const rtpBind = advertised ? (advertised.includes(':') ? '::' : '0.0.0.0') : transport.localAddress;
    const rtp = await RtpEndpoint.bind(rtpBind, (packet) => this.#media?.receive(packet));
    const media = new CallMedia({
      rtp,
      source: this.#parts.source,
      streams: this.settings.streams,
      connectionId: this.connectionId,
      publisher: this.#parts.publisher,
      onDigit: (digit) => this.#digit(digit),
      ...(limits.ffmpegPath ? { ffmpegPath: limits.ffmpegPath } : {}),
      warn: this.#parts.warn,
    });
    this.#media = media;
    if (this.#ended) {
      await media.stop();
      return;
    }
    const sdp = buildOffer({
      address: transport.localAddress,
      port: rtp.port,
      sessionId: String(Date.now()),
      version: 1,
    });
    const signalling = new CallSignalling(
      {
        transport,
        uri: this.settings.uri,
        from: this.settings.from,
        headers: this.settings.headers,
        auth: this.settings.auth,
        sdp,
        ringTimeoutMs: limits.ringTimeoutMs,
        ...(limits.timers ? { timers: limits.timers } : {}),
      },
      {
        onRinging: () => this.#parts.report({ event: 'callUpdated', state: 'RINGING' }),
        onAnswered: (answer) => this.#answeredWith(answer),
        onFailed: (status, reason) => void this.end(String(status), reason, false),
        onRemoteHangup: () => void this.end('700', 'Normal Clearing', false),
        onReoffer: (offer) => this.#reoffered(offer),
      },
    );
    this.#signalling = signalling;
    signalling.start();
    this.#parts.report({ event: 'callUpdated', state: 'DIALING' });
  }

  /** With `observeForceMute`, `*6` from the callee toggles its own mute. */
  #digit(digit: string): void {
    const toggle = this.#lastDigit === '*' && digit === '6';
    this.#lastDigit = digit;
    const media = this.#media;
    if (!toggle || !this.settings.observeForceMute || !media) return;
    media.muted = !media.muted;
    this.#parts.client.setAudioActive(this.settings.streamId, !media.muted);
  }

  #answeredWith(sdp: string): void {
    let answer: ReturnType<typeof parseAnswer>;
    try {
      answer = parseAnswer(sdp);
    } catch (error) {
      // The callee answered with media Parley cannot use: hang up as RFC 3261 §13.2.1 suggests.
      const reason = error instanceof SdpError ? error.message : String(error);
      this.#parts.warn({ reason }, 'A SIP call was answered with unusable SDP');
      void this.end('488', 'Not Acceptable Here');
      return;
    }
    this.#answered = true;
    this.#media?.start(answer);
    this.#parts.report({ event: 'callUpdated', state: 'ACTIVE' });
    this.#watchMedia();
  }

  #reoffered(sdp: string): void {
    let offer: ReturnType<typeof parseAnswer>;
    try {
      offer = parseAnswer(sdp);
    } catch {
      return; // Keep the media as it was.
    }
    this.#media?.update(offer);
    const onHold = offer.direction === 'sendonly' || offer.direction === 'inactive';
    if (onHold !== this.#onHold) {
      this.#onHold = onHold;
      this.#parts.report({ event: 'callUpdated', state: onHold ? 'ON_HOLD' : 'ACTIVE' });
    }
  }

  /** Ends the call when no RTP has arrived for the media timeout (a call on hold sends none either). */
  #watchMedia(): void {
    const period = Math.max(10, Math.min(10_000, this.#limits.mediaTimeoutMs / 4));
    const check = () => {
      const media = this.#media;
      if (!media || this.#ended) return;
      if (performance.now() - media.lastReceivedAt >= this.#limits.mediaTimeoutMs) {
        void this.end('704', 'Media Timeout');
        return;
      }
      this.#mediaCheck = setTimeout(check, period);
    };
    this.#mediaCheck = setTimeout(check, period);
  }
}
