/**
 * A subscriber (OpenTok.js `Subscriber`): receives one stream. Created by `session.subscribe()`, which
 * resolves once media flows. The server (routed) or the publisher (relayed) offers; the subscriber
 * answers and trickles candidates. In end-to-end encrypted sessions frames that do not decrypt are
 * dropped and reported as `encryptionSecretMismatch`. With captions on (`subscribeToCaptions`), the live
 * captions of the stream arrive as `captionReceived`.
 */
import { TypedEmitter } from '@parley/events';
import type { RaptorMessage, RaptorUri } from '@parley/protocol';
import {
  assertBooleanArgument,
  assertOptionalBoolean,
  ErrorCode,
  InvalidParameterError,
  ParleyClientError,
  RequestTimeoutError,
} from './errors.js';
import type {
  CaptionReceivedEvent,
  StreamDestroyedReason,
  SubscriberEvents,
  VideoEnabledChangedEvent,
} from './events.js';
import type { Logger } from './logger.js';
import { toCandidate } from './media/candidates.js';
import type { MediaPeer } from './media/handler.js';
import type { Stream } from './Stream.js';
import { CAPTION_CHANNEL } from './session/captions.js';
import { iceServersOf, type SessionLink } from './session/link.js';
import { TimedWait } from './timed-wait.js';

/** How to subscribe. */
export interface SubscriberOptions {
  /** Receive audio. Default true. */
  subscribeToAudio?: boolean;
  /** Receive video. Default true. */
  subscribeToVideo?: boolean;
  /** The video size this subscriber prefers (the SFU picks a layer or asks the publisher). */
  preferredResolution?: { width: number; height: number };
  /** The frame rate this subscriber prefers. */
  preferredFrameRate?: number;
  /**
   * Receive the stream's live captions as `captionReceived` events. Default: the stream's `hasCaptions`
   * when subscribing (as in OpenTok.js).
   */
  subscribeToCaptions?: boolean;
}

type State = 'subscribing' | 'connected' | 'destroyed';

/** A stream being received. */
export class Subscriber extends TypedEmitter<SubscriberEvents> {
  /** The subscriber ID, chosen by the client. */
  readonly id: string;
  /** The stream received. */
  readonly stream: Stream;
  readonly #link: SessionLink;
  readonly #log: Logger;
  #peer: MediaPeer | null = null;
  /** The negotiation's `peerId`/`sourceStreamId`, echoed in every offer, answer and candidate. */
  #defaults: Record<string, unknown> = {};
  #state: State = 'subscribing';
  #subscribeToAudio: boolean;
  #subscribeToVideo: boolean;
  #subscribeToCaptions: boolean;
  #options: SubscriberOptions;
  #iceServers: RTCIceServer[];
  #remoteStream: MediaStream | null = null;
  #decrypting: boolean | null = null;
  /** The wait for the media to connect, which completes `session.subscribe()`. */
  readonly #connected = new TimedWait();

  /** @internal Use `session.subscribe()`. */
  constructor(link: SessionLink, stream: Stream, options: SubscriberOptions) {
    super();
    this.#link = link;
    this.stream = stream;
    this.id = link.newId();
    this.#options = options;
    this.#subscribeToAudio = options.subscribeToAudio ?? true;
    this.#subscribeToVideo = options.subscribeToVideo ?? true;
    assertOptionalBoolean('options.subscribeToCaptions', options.subscribeToCaptions);
    this.#subscribeToCaptions = options.subscribeToCaptions ?? stream.hasCaptions;
    this.#iceServers = link.info.iceServers;
    this.#log = link.logger.child('subscriber', () => ({ subscriberId: this.id, streamId: stream.streamId }));
  }

  /** The received media, once the first track arrived (attach it to a `<video>`). */
  get mediaStream(): MediaStream | null {
    return this.#remoteStream;
  }

  /** Whether audio is being received. */
  get isSubscribedToAudio(): boolean {
    return this.#subscribeToAudio;
  }

  /** Whether video is being received. */
  get isSubscribedToVideo(): boolean {
    return this.#subscribeToVideo;
  }

  /**
   * Whether live captions of the stream are being received as `captionReceived` events (a method, as in
   * OpenTok.js).
   */
  isSubscribedToCaptions(): boolean {
    return this.#subscribeToCaptions;
  }

  /** Whether the subscriber was destroyed. */
  get isDestroyed(): boolean {
    return this.#state === 'destroyed';
  }

  /** Starts or stops receiving audio. */
  subscribeToAudio(value: boolean): void {
    assertBooleanArgument('subscribeToAudio', value);
    this.#subscribeToAudio = value;
    for (const track of this.#remoteStream?.getAudioTracks() ?? []) track.enabled = value;
    this.#updateChannel('audio1', { active: value });
  }

  /** Starts or stops receiving video (`videoDisabled`/`videoEnabled` with reason `subscribeToVideo`). */
  subscribeToVideo(value: boolean): void {
    assertBooleanArgument('subscribeToVideo', value);
    if (value === this.#subscribeToVideo) return;
    this.#subscribeToVideo = value;
    for (const track of this.#remoteStream?.getVideoTracks() ?? []) track.enabled = value;
    this.#updateChannel('video1', { active: value });
    this.#emitVideo(value, 'subscribeToVideo');
  }

  /**
   * Starts or stops receiving the stream's live captions (`captionReceived` events). Captions exist only
   * while the publisher publishes them (`stream.hasCaptions`) and a captioning of the session runs (started
   * by your server through the REST API). Resolves once the server acknowledged the change; rejects with
   * `OT_INVALID_PARAMETER` (1011) for a non-boolean `value`, or `OT_UNABLE_TO_SUBSCRIBE` (1501) when the
   * server refuses. On a destroyed subscriber it only records the value.
   */
  async subscribeToCaptions(value: boolean): Promise<void> {
    assertBooleanArgument('subscribeToCaptions', value);
    this.#subscribeToCaptions = value;
    if (this.#state === 'destroyed') return;
    await this.#link.request(
      'update',
      this.#link.uri(['stream', this.stream.streamId], ['subscriber', this.id], ['channel', CAPTION_CHANNEL]),
      { active: value },
      { code: ErrorCode.UnableToSubscribe, name: 'OT_UNABLE_TO_SUBSCRIBE', operation: 'subscribeToCaptions' },
    );
  }

  /** Asks for a video size; the SFU forwards the closest layer. */
  setPreferredResolution(resolution: { width: number; height: number } | null): void {
    if (resolution !== null && !(isPositive(resolution?.width) && isPositive(resolution?.height))) {
      throw new InvalidParameterError('resolution', 'must be {width, height} in positive pixels, or null');
    }
    this.#options = { ...this.#options, ...(resolution ? { preferredResolution: resolution } : {}) };
    this.#updateChannel('video1', {
      preferredWidth: resolution?.width ?? null,
      preferredHeight: resolution?.height ?? null,
    });
  }

  /** Asks for a frame rate. */
  setPreferredFrameRate(frameRate: number | null): void {
    if (frameRate !== null && !isPositive(frameRate)) {
      throw new InvalidParameterError('frameRate', 'must be a positive number of frames per second, or null');
    }
    this.#updateChannel('video1', { preferredFrameRate: frameRate });
  }

  /** WebRTC statistics of this subscriber's peer connection. */
  async getStats(): Promise<RTCStatsReport> {
    if (!this.#peer)
      throw new ParleyClientError(
        ErrorCode.UnableToSubscribe,
        'OT_NOT_CONNECTED',
        'the subscriber has no media connection',
      );
    return this.#peer.getStats();
  }

  /** @internal Sends the subscriber create and waits for media. */
  async start(): Promise<void> {
    const video: Record<string, unknown> = {
      id: 'video1',
      type: 'video',
      active: this.#subscribeToVideo,
      restrictFrameRate: false,
    };
    if (this.#options.preferredResolution) {
      video.preferredWidth = this.#options.preferredResolution.width;
      video.preferredHeight = this.#options.preferredResolution.height;
    }
    if (this.#options.preferredFrameRate !== undefined)
      video.preferredFrameRate = this.#options.preferredFrameRate;
    const timeoutMs = this.#link.options.subscribeTimeoutMs;
    const connected = this.#connected.start(
      timeoutMs,
      () => new RequestTimeoutError(ErrorCode.SubscriberIceWorkflowFailed, 'subscribing', timeoutMs),
    );
    try {
      const content: Record<string, unknown> = {
        id: this.id,
        connection: this.#link.connectionId,
        keyManagementMethod: 'DTLS_SRTP',
        bundleSupport: true,
        rtcpMuxSupport: true,
        e2ee: this.#link.info.e2ee,
        channel: [
          { id: 'audio1', type: 'audio', active: this.#subscribeToAudio },
          video,
          { id: CAPTION_CHANNEL, type: 'data', active: this.#subscribeToCaptions },
        ],
      };
      if (this.stream.sourceStreamId) content.sourceStreamId = this.stream.sourceStreamId;
      const reply = await this.#link.request('create', this.#uri(), content, {
        code: ErrorCode.UnableToSubscribe,
        name: 'OT_UNABLE_TO_SUBSCRIBE',
        operation: 'subscribe',
      });
      this.#iceServers = iceServersOf(reply, this.#iceServers);
      await connected;
    } catch (error) {
      this.#connected.settle(error as Error);
      this.destroy('unsubscribed', true);
      throw error;
    }
  }

  /** @internal Routes a server message about this subscriber. */
  handle(message: RaptorMessage, uri: RaptorUri): void {
    if (this.#state === 'destroyed') return;
    const { method, content } = message;
    switch (`${uri.resource}:${method}`) {
      case 'subscriber:offer':
        void this.#answer(message.uri, content).catch((error: unknown) => this.#fail(error));
        return;
      case 'subscriber:answer':
      case 'subscriber:pranswer':
        void this.#peer?.acceptAnswer(String(content.sdp ?? '')).catch((error: unknown) => this.#fail(error));
        return;
      case 'subscriber:candidate':
        void this.#peer
          ?.addRemoteCandidate(toCandidate(content))
          .catch((error: unknown) => this.#log.debug('candidate rejected', { error: String(error) }));
        return;
      case 'subscriber_channel:update':
        // A congestion hint: the SFU stopped (or resumed) forwarding video.
        if (uri.params.channel === 'video1' && typeof content.active === 'boolean')
          this.#emitVideo(content.active, 'quality');
        return;
      case 'subscriber:deleted':
        this.destroy('unsubscribed', false);
        return;
      default:
        this.#log.debug('ignoring a message', { method, resource: uri.resource });
    }
  }

  /**
   * @internal Restarts ICE from the subscriber's side (routed sessions, after the signaling socket
   * reconnected, as OpenTok.js does): the subscriber offers with new ICE credentials on its URI and the
   * SFU answers.
   */
  restartIce(): void {
    const peer = this.#peer;
    if (this.#state === 'destroyed' || !peer) return;
    this.#log.info('restarting ICE');
    void (async () => {
      const sdp = await peer.createOffer({ iceRestart: true });
      if (this.#state === 'destroyed') return;
      this.#link.notify('offer', this.#uri(), { ...this.#defaults, type: 'offer', sdp });
    })().catch((error: unknown) => this.#log.warn('ICE restart failed', { error: String(error) }));
  }

  /** @internal A live caption of the stream arrived; emitted while captions are on. */
  onCaption(event: CaptionReceivedEvent): void {
    if (this.#state === 'destroyed' || !this.#subscribeToCaptions) return;
    this.emit('captionReceived', { ...event });
  }

  /** @internal The publisher toggled video. */
  onStreamVideoChanged(hasVideo: boolean): void {
    if (this.#subscribeToVideo) this.#emitVideo(hasVideo, 'publishVideo');
  }

  /** @internal Tears down. `notify` sends the subscriber delete to the server. */
  destroy(reason: StreamDestroyedReason | 'unsubscribed' | 'sessionDisconnected', notify: boolean): void {
    if (this.#state === 'destroyed') return;
    this.#state = 'destroyed';
    this.#connected.settle(
      new ParleyClientError(
        ErrorCode.UnableToSubscribe,
        'OT_STREAM_DESTROYED',
        `the subscriber ended (${reason})`,
      ),
    );
    if (notify) this.#link.notify('delete', this.#uri(), {});
    this.#peer?.close();
    this.#peer = null;
    this.emit('destroyed', { type: 'destroyed', reason });
  }

  async #answer(uri: string, content: Record<string, unknown>): Promise<void> {
    const defaults: Record<string, unknown> = {};
    if (content.peerId !== undefined) defaults.peerId = content.peerId;
    if (content.sourceStreamId !== undefined) defaults.sourceStreamId = content.sourceStreamId;
    if (!this.#peer) {
      this.#defaults = defaults;
      this.#peer = this.#createPeer(uri, defaults);
    }
    const sdp = await this.#peer.acceptOffer(String(content.sdp ?? ''));
    if (this.#state === 'destroyed') return;
    this.#link.notify('answer', uri, { ...defaults, type: 'answer', sdp });
  }

  #createPeer(uri: string, defaults: Record<string, unknown>): MediaPeer {
    const peer = this.#link.options.mediaHandler.createPeer({
      direction: 'recv',
      iceServers: this.#iceServers,
      relayOnly: this.#link.info.relayOnly,
      cryptor: this.#link.e2ee,
      candidateReadyTimeoutMs: this.#link.options.candidateReadyTimeoutMs,
    });
    peer.on('candidate', (candidate) => this.#link.notify('candidate', uri, { ...defaults, ...candidate }));
    peer.on('track', (track, stream) => {
      this.#remoteStream = stream;
      track.enabled = track.kind === 'audio' ? this.#subscribeToAudio : this.#subscribeToVideo;
    });
    peer.on('connectionState', (state) => {
      this.#log.debug('peer state', { state });
      if (state === 'connected' && this.#state === 'subscribing') {
        this.#state = 'connected';
        this.#log.info('subscribed');
        this.#connected.settle(null);
        this.emit('connected', { type: 'connected' });
      } else if (state === 'failed') {
        this.#fail(new Error('the media connection failed'));
      }
    });
    peer.on('decryption', (ok) => this.#onDecryption(ok));
    return peer;
  }

  #onDecryption(ok: boolean): void {
    if (ok === this.#decrypting) return;
    const first = this.#decrypting === null;
    this.#decrypting = ok;
    if (!ok) {
      this.#log.warn('frames do not decrypt: the encryption secrets differ');
      this.emit('encryptionSecretMismatch', { type: 'encryptionSecretMismatch' });
    } else if (!first) {
      this.emit('encryptionSecretMatch', { type: 'encryptionSecretMatch' });
    }
  }

  #fail(error: unknown): void {
    const failure = new ParleyClientError(
      ErrorCode.SubscriberIceWorkflowFailed,
      'OT_ICE_WORKFLOW_FAILED',
      `the subscriber's media connection failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
    this.#log.error('media connection failed', { error: failure.message });
    if (this.#connected.pending) this.#connected.settle(failure);
    else this.emit('error', { type: 'exception', error: failure });
  }

  #emitVideo(enabled: boolean, reason: VideoEnabledChangedEvent['reason']): void {
    this.emit(enabled ? 'videoEnabled' : 'videoDisabled', {
      type: enabled ? 'videoEnabled' : 'videoDisabled',
      reason,
    });
  }

  #updateChannel(channel: 'audio1' | 'video1', content: Record<string, unknown>): void {
    if (this.#state === 'destroyed') return;
    this.#link.notify(
      'update',
      this.#link.uri(['stream', this.stream.streamId], ['subscriber', this.id], ['channel', channel]),
      content,
    );
  }

  #uri(): string {
    return this.#link.uri(['stream', this.stream.streamId], ['subscriber', this.id]);
  }
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
