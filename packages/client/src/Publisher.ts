/**
 * A publisher (OpenTok.js `Publisher`): local media sent to the session as one stream. Created by
 * `session.publish()`, which resolves once the server announces the stream (`created …/stream/{id}`).
 *
 * Negotiation follows the gateway: the server asks for an offer (`generateoffer`) on `…/stream/{id}` for
 * the leg to the SFU (routed) or on `…/stream/{id}/subscriber/{subId}` for each subscriber (relayed); the
 * publisher trickles candidates and sends its offer, and applies the answer.
 *
 * With `publishCaptions`, the stream's `caption1` channel is on: while a captioning of the session runs,
 * the server transcribes the published audio and sends the captions to the subscribers that want them.
 *
 * This class is the app-facing surface (capture, properties, events) and routes the server's messages;
 * the peer connections live in `publisher/send-legs.ts`, the wait for the stream's announcement is a
 * {@link TimedWait}.
 */
import { TypedEmitter } from '@parley/events';
import type { ProtocolStream, RaptorMessage, RaptorUri } from '@parley/protocol';
import type { Connection } from './Connection.js';
import {
  assertBooleanArgument,
  assertOptionalBoolean,
  ErrorCode,
  ParleyClientError,
  RequestTimeoutError,
} from './errors.js';
import type { PublisherEvents, StreamDestroyedReason } from './events.js';
import type { Logger } from './logger.js';
import { captureError, captureRequest } from './media/capture.js';
import type { MediaHandler } from './media/handler.js';
import { streamChannels } from './media/stream-channels.js';
import type { PublisherOptions } from './publisher/publisher-options.js';
import { legKey, SendLegs } from './publisher/send-legs.js';
import { Stream } from './Stream.js';
import { CAPTION_CHANNEL } from './session/captions.js';
import { iceServersOf, type SessionLink } from './session/link.js';
import { TimedWait } from './timed-wait.js';

export type { PublisherOptions } from './publisher/publisher-options.js';

type State = 'publishing' | 'live' | 'destroyed';

/** Local media published to the session. */
export class Publisher extends TypedEmitter<PublisherEvents> {
  /** The stream ID, chosen before publishing. */
  readonly streamId: string;
  readonly #options: PublisherOptions;
  readonly #mediaHandler: MediaHandler;
  readonly #log: Logger;
  readonly #legs: SendLegs;
  #link: SessionLink | null = null;
  #ownConnection: () => Connection | null = () => null;
  #mediaStream: MediaStream | null;
  #initialized: Promise<void> | undefined;
  #stream: Stream | null = null;
  #state: State = 'publishing';
  #publishAudio: boolean;
  #publishVideo: boolean;
  #publishCaptions: boolean;
  #iceServers: RTCIceServer[] = [];
  /** The wait for the server's `created` of the stream, which completes `session.publish()`. */
  readonly #live = new TimedWait();

  /**
   * @internal Use `initPublisher()` or `session.publish()`. Capture starts with {@link Publisher.init}.
   */
  constructor(
    options: PublisherOptions,
    mediaHandler: MediaHandler,
    logger: Logger,
    mediaStream?: MediaStream,
  ) {
    super();
    this.#options = options;
    this.#mediaHandler = mediaHandler;
    this.#mediaStream = mediaStream ?? null;
    this.streamId = crypto.randomUUID();
    this.#publishAudio = options.publishAudio ?? true;
    this.#publishVideo = options.publishVideo ?? true;
    assertOptionalBoolean('options.publishCaptions', options.publishCaptions);
    this.#publishCaptions = options.publishCaptions ?? false;
    this.#log = logger.child('publisher', () => ({ streamId: this.streamId }));
    this.#legs = new SendLegs(this.#log, () => this.#state === 'destroyed');
    // Check the options now, so that a bad option fails the call that passed it.
    if (!mediaStream) captureRequest(options);
  }

  /**
   * Captures the media (camera, microphone or screen), emitting `accessAllowed` or `accessDenied`.
   * Idempotent; `session.publish()` calls it. Rejects with `OT_USER_MEDIA_ACCESS_DENIED` (1500).
   */
  init(): Promise<void> {
    this.#initialized ??= this.#capture();
    return this.#initialized;
  }

  /** The published stream, once live. */
  get stream(): Stream | null {
    return this.#stream;
  }

  /** The local media once captured (attach it to a `<video>` for a preview). */
  get mediaStream(): MediaStream | null {
    return this.#mediaStream;
  }

  /** Whether audio is being sent. */
  get isPublishingAudio(): boolean {
    return this.#publishAudio;
  }

  /** Whether video is being sent. */
  get isPublishingVideo(): boolean {
    return this.#publishVideo;
  }

  /** Whether the audio is sent for live captioning (`publishCaptions`). */
  get isPublishingCaptions(): boolean {
    return this.#publishCaptions;
  }

  /** Whether the publisher was destroyed. */
  get isDestroyed(): boolean {
    return this.#state === 'destroyed';
  }

  /** Turns audio on or off for everyone (`streamPropertyChanged hasAudio` elsewhere). */
  publishAudio(value: boolean): void {
    this.#setChannel('audio', value);
  }

  /** Turns video on or off for everyone (`streamPropertyChanged hasVideo` elsewhere). */
  publishVideo(value: boolean): void {
    this.#setChannel('video', value);
  }

  /**
   * Starts or stops sending the audio for live captioning: the stream's `hasCaptions` changes for everyone
   * (`streamPropertyChanged`), and while a captioning of the session runs (started by your server through
   * the REST API) subscribers that call `subscribeToCaptions(true)` receive the captions. Before the
   * publisher is published it sets what `publish` will send. Resolves once the server acknowledged the
   * change; rejects with `OT_INVALID_PARAMETER` (1011) for a non-boolean `value`, or `OT_UNABLE_TO_PUBLISH`
   * (1500) when the server refuses. On a destroyed publisher it only records the value.
   */
  async publishCaptions(value: boolean): Promise<void> {
    assertBooleanArgument('publishCaptions', value);
    this.#publishCaptions = value;
    const link = this.#link;
    // Not published yet: the stream create carries the value.
    if (!link || this.#state === 'destroyed') return;
    if (value && this.#mediaStream?.getAudioTracks().length === 0) {
      this.#log.warn('publishing captions without a microphone: there is no audio to caption');
    }
    await link.request(
      'update',
      link.uri(['stream', this.streamId], ['channel', CAPTION_CHANNEL]),
      { active: value },
      { code: ErrorCode.UnableToPublish, name: 'OT_UNABLE_TO_PUBLISH', operation: 'publishCaptions' },
    );
  }

  /** WebRTC statistics of every peer connection of this publisher (one per subscriber when relayed). */
  async getStats(): Promise<{ peerId: string; stats: RTCStatsReport }[]> {
    return this.#legs.stats();
  }

  /** @internal Sends the stream create and waits until the server announces the stream. */
  async publishTo(link: SessionLink, ownConnection: () => Connection | null): Promise<void> {
    if (this.#state === 'destroyed') {
      throw new ParleyClientError(
        ErrorCode.UnableToPublish,
        'OT_UNABLE_TO_PUBLISH',
        'the publisher was destroyed',
      );
    }
    if (this.#link) {
      throw new ParleyClientError(
        ErrorCode.UnableToPublish,
        'OT_UNABLE_TO_PUBLISH',
        'the publisher is already published',
      );
    }
    await this.init();
    const mediaStream = this.#mediaStream as MediaStream;
    this.#link = link;
    this.#ownConnection = ownConnection;
    this.#iceServers = link.info.iceServers;
    if (this.#publishCaptions && mediaStream.getAudioTracks().length === 0) {
      this.#log.warn('publishCaptions is on without a microphone: there is no audio to caption');
    }
    const channel = streamChannels(mediaStream, this.#options, {
      publishAudio: this.#publishAudio,
      publishVideo: this.#publishVideo,
      publishCaptions: this.#publishCaptions,
    });
    const { publishTimeoutMs } = link.options;
    const live = this.#live.start(
      publishTimeoutMs,
      () => new RequestTimeoutError(ErrorCode.UnableToPublish, 'publishing', publishTimeoutMs),
    );
    try {
      const reply = await link.request(
        'create',
        link.uri(['stream', this.streamId]),
        {
          id: this.streamId,
          name: this.#options.name ?? '',
          channel,
          publisherAudioFallbackEnabled: false,
          subscriberAudioFallbackEnabled: true,
          customProperties: this.#options.initials ? { initials: this.#options.initials } : {},
          e2ee: link.info.e2ee,
          sourceStreamId: link.info.relayed ? 'P2P' : 'MANTIS',
        },
        { code: ErrorCode.UnableToPublish, name: 'OT_STREAM_CREATE_FAILED', operation: 'publish' },
      );
      this.#iceServers = iceServersOf(reply, this.#iceServers);
      const mute = reply.body?.mute as { active?: unknown } | undefined;
      if (mute?.active === true) this.#forceMute();
      await live;
    } catch (error) {
      this.#live.settle(error as Error);
      this.destroy('unpublished', false);
      throw error;
    }
  }

  /** @internal Routes a server message about this publisher's stream. */
  handle(message: RaptorMessage, uri: RaptorUri, from: string): void {
    if (this.#state === 'destroyed') return;
    const { method, content } = message;
    const subscriberId = uri.params.subscriber;
    const key = legKey(subscriberId, content);
    switch (`${uri.resource}:${method}`) {
      case 'stream:generateoffer':
      case 'subscriber:generateoffer':
        void this.#negotiate(key, message.uri, content).catch((error: unknown) =>
          this.#log.warn('offer failed', { error: String(error), from }),
        );
        return;
      case 'stream:answer':
      case 'stream:pranswer':
      case 'subscriber:answer':
      case 'subscriber:pranswer':
        this.#legs.acceptAnswer(key, String(content.sdp ?? ''));
        return;
      case 'stream:candidate':
      case 'subscriber:candidate':
        this.#legs.addRemoteCandidate(key, content);
        return;
      case 'stream:created':
        this.#onCreated(content as unknown as ProtocolStream);
        return;
      case 'stream:deleted':
        this.#onDeleted(message.reason ?? 'clientDisconnected');
        return;
      case 'subscriber:deleted':
        this.#legs.closeSubscriber(subscriberId);
        return;
      case 'stream:update':
        if (content.reason === 'mute' && content.active !== false) this.#forceMute();
        return;
      case 'stream_channel:updated':
        this.#stream?.applyChannel({ ...content, id: uri.params.channel });
        return;
      default:
        this.#log.debug('ignoring a message', { method, resource: uri.resource });
    }
  }

  /**
   * @internal Restarts ICE on every leg (after the signaling socket reconnected, as OpenTok.js does with
   * `properties.reconnection`): a fresh offer with new ICE credentials on the leg's URI, answered as usual.
   */
  restartIce(): void {
    if (this.#state === 'destroyed') return;
    this.#legs.restartIce();
  }

  /** @internal Mutes audio because the session is force-muted. */
  forceMute(): void {
    this.#forceMute();
  }

  /** @internal Releases media and peers. `notify` sends the stream delete to the server. */
  destroy(reason: StreamDestroyedReason | 'unpublished' | 'sessionDisconnected', notify: boolean): void {
    if (this.#state === 'destroyed') return;
    const wasLive = this.#state === 'live';
    this.#state = 'destroyed';
    this.#live.settle(
      new ParleyClientError(ErrorCode.UnableToPublish, 'OT_CANCEL', 'the publisher was destroyed'),
    );
    if (notify) this.#link?.notify('delete', this.#link.uri(['stream', this.streamId]), {});
    this.#legs.closeAll();
    for (const track of this.#mediaStream?.getTracks() ?? []) track.stop();
    if (wasLive && this.#stream && reason !== 'unpublished') {
      this.emit('streamDestroyed', { type: 'streamDestroyed', stream: this.#stream, reason });
    }
    this.emit('destroyed', { type: 'destroyed', reason });
  }

  async #negotiate(key: string, uri: string, content: Record<string, unknown>): Promise<void> {
    const link = this.#link;
    const mediaStream = this.#mediaStream;
    if (!link || !mediaStream) return;
    await this.#legs.negotiate(key, { link, mediaStream, iceServers: this.#iceServers, uri, content });
  }

  async #capture(): Promise<void> {
    if (!this.#mediaStream) {
      try {
        this.#mediaStream = await this.#mediaHandler.capture(captureRequest(this.#options));
      } catch (error) {
        const failure = captureError(error);
        this.#log.error('media capture failed', { error: failure.message });
        this.emit('accessDenied', { type: 'accessDenied', error: failure });
        throw failure;
      }
      this.emit('accessAllowed', { type: 'accessAllowed' });
    }
    const mediaStream = this.#mediaStream;
    for (const track of mediaStream.getAudioTracks()) track.enabled = this.#publishAudio;
    for (const track of mediaStream.getVideoTracks()) track.enabled = this.#publishVideo;
    for (const track of mediaStream.getTracks())
      track.addEventListener('ended', () => this.#onTrackEnded(track));
  }

  #onCreated(hash: ProtocolStream): void {
    const connection = this.#ownConnection();
    if (!connection || this.#stream) return;
    this.#stream = new Stream(hash, connection);
    this.#state = 'live';
    this.#log.info('stream live');
    this.#live.settle(null);
    this.emit('streamCreated', { type: 'streamCreated', stream: this.#stream });
  }

  #onDeleted(reason: string): void {
    this.#log.info('stream ended by the server', { reason });
    // A force-unpublished publisher confirms with its own delete, as OpenTok.js does.
    this.destroy(reason, reason === 'forceUnpublished');
  }

  #forceMute(): void {
    if (!this.#publishAudio && this.#state !== 'publishing') {
      this.emit('muteForced', { type: 'muteForced' });
      return;
    }
    this.#setChannel('audio', false);
    this.emit('muteForced', { type: 'muteForced' });
  }

  #setChannel(kind: 'audio' | 'video', value: boolean): void {
    assertBooleanArgument(kind === 'audio' ? 'publishAudio' : 'publishVideo', value);
    if (kind === 'audio') this.#publishAudio = value;
    else this.#publishVideo = value;
    const stream = this.#mediaStream;
    const tracks = (kind === 'audio' ? stream?.getAudioTracks() : stream?.getVideoTracks()) ?? [];
    for (const track of tracks) track.enabled = value;
    const link = this.#link;
    if (link && this.#state !== 'destroyed' && tracks.length > 0) {
      const channelId = kind === 'audio' ? 'audio1' : 'video1';
      link.notify('update', link.uri(['stream', this.streamId], ['channel', channelId]), { active: value });
    }
  }

  #onTrackEnded(track: MediaStreamTrack): void {
    if (this.#state === 'destroyed') return;
    this.emit('mediaStopped', { type: 'mediaStopped', track });
    // A screen share the user stopped ends the stream, as in OpenTok.js.
    if (this.#options.videoSource === 'screen' && track.kind === 'video') this.destroy('mediaStopped', true);
  }
}
