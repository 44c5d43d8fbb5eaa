/**
 * One captioning of a session, from `startCaptions` until it stops: it follows the live session and
 * keeps one {@link StreamCaptioner} per stream whose publisher sends its audio for captioning
 * (`publishCaptions`, channel `caption1` active) — streams published later included, at most 50 at a
 * time — and sends each result to the stream's subscribers that turned captions on.
 *
 * It stops on `stopCaptions`, after `maxDuration`, when the session ends (its last client left), or
 * fails when a stream's decoder or recogniser breaks down; each status change is reported once through
 * `onStatus` (the service turns it into the `captionsStatus` webhook).
 */

import type { LiveSession } from '../../realtime/session/live-session.js';
import type { LiveSessionRegistry } from '../../realtime/session/registry.js';
import type { LiveStream } from '../../realtime/session/types.js';
import type { MediaSource, MediaSourceProvider } from '../../recording/media-source.js';
import { deliverCaption, publishesCaptions } from './caption-delivery.js';
import type { LanguageModel } from './languages.js';
import type { RecognitionResult } from './recognizer.js';
import { type PcmDecoderFactory, StreamCaptioner } from './stream-captioner.js';

/** The most streams captioned at once (Vonage's limit). */
export const MAX_CAPTIONED_STREAMS = 50;

/** The `reason`s of stopped captionings, as Vonage words them. */
export const STOP_REASONS = {
  requested: 'Stop Requested',
  maxDuration: 'Max Duration Exceeded',
  sessionEnded: 'Session Ended',
  shutdown: 'Server Shutting Down',
} as const;

/** A captioning's status (the `captionsStatus` webhook's `status`). */
export type CaptioningStatus = 'started' | 'stopped' | 'failed';

/** What a captioning is asked to do. */
export interface CaptioningSettings {
  id: string;
  sessionId: string;
  languageCode: string;
  /** The longest it may run, in seconds. */
  maxDuration: number;
  /** Whether partial results are sent as well as final ones. */
  partials: boolean;
}

/** What a captioning runs on. */
export interface CaptioningDeps {
  registry: LiveSessionRegistry;
  mediaSources: MediaSourceProvider;
  python: string;
  model: LanguageModel;
  createDecoder: PcmDecoderFactory;
  now: () => number;
  /** Called on every status change (`started` first, then `stopped` or `failed` once). */
  onStatus: (captioning: Captioning) => void;
  /** Reports a result (tests, logs); called after delivery. */
  onResult?: (streamId: string, result: RecognitionResult, delivered: number) => void;
  warn: (details: Record<string, unknown>, message: string) => void;
}

/** A running (or ended) captioning; see the file comment. */
export class Captioning {
  readonly settings: CaptioningSettings;
  readonly createdAt: number;
  #status: CaptioningStatus = 'started';
  #reason: string | null = null;
  #updatedAt: number;
  readonly #deps: CaptioningDeps;
  readonly #captioners = new Map<string, { captioner: StreamCaptioner; source: MediaSource }>();
  readonly #timer: NodeJS.Timeout;
  #syncQueued = false;
  #ended: Promise<void> | null = null;
  readonly #unlisten: () => void;
  /** The media source whose track changes are followed (a stream's audio may be negotiated late). */
  #followed: MediaSource | null = null;
  readonly #onSourceChange = (): void => this.#scheduleSync();

  /** Starts captioning at once and reports `started`. */
  constructor(settings: CaptioningSettings, deps: CaptioningDeps) {
    this.settings = settings;
    this.#deps = deps;
    this.createdAt = deps.now();
    this.#updatedAt = this.createdAt;
    const ours = (session: LiveSession): boolean => session.sessionId === settings.sessionId;
    const sync = (session: LiveSession): void => {
      if (ours(session)) this.#scheduleSync();
    };
    const opened = (source: MediaSource): void => {
      if (source.sessionId === settings.sessionId) this.#scheduleSync();
    };
    const ended = (session: LiveSession): void => {
      if (ours(session)) void this.stop(STOP_REASONS.sessionEnded);
    };
    deps.registry.on('streamCreated', sync).on('streamUpdated', sync).on('streamDestroyed', sync);
    deps.registry.on('sessionEnded', ended);
    deps.mediaSources.on('sourceOpened', opened);
    this.#unlisten = () => {
      deps.registry.off('streamCreated', sync).off('streamUpdated', sync).off('streamDestroyed', sync);
      deps.registry.off('sessionEnded', ended);
      deps.mediaSources.off('sourceOpened', opened);
      this.#follow(null);
    };
    this.#timer = setTimeout(() => void this.stop(STOP_REASONS.maxDuration), settings.maxDuration * 1000);
    this.#timer.unref();
    deps.onStatus(this);
    this.#sync();
  }

  /** `started` while running, then `stopped` or `failed`. */
  get status(): CaptioningStatus {
    return this.#status;
  }

  /** Why it stopped or failed; null while running. */
  get reason(): string | null {
    return this.#reason;
  }

  /** When the status last changed (ms since the epoch). */
  get updatedAt(): number {
    return this.#updatedAt;
  }

  /** The streams being captioned now. */
  get streamIds(): readonly string[] {
    return [...this.#captioners.keys()];
  }

  /** Stops captioning (idempotent: a stopped or failed captioning stays as it is). */
  stop(reason: string): Promise<void> {
    return this.#end('stopped', reason);
  }

  #end(status: 'stopped' | 'failed', reason: string): Promise<void> {
    if (this.#ended) return this.#ended;
    clearTimeout(this.#timer);
    this.#unlisten();
    this.#status = status;
    this.#reason = reason;
    this.#updatedAt = this.#deps.now();
    const closing = [...this.#captioners.values()].map(({ captioner }) => captioner.close());
    this.#captioners.clear();
    this.#ended = Promise.all(closing).then(() => undefined);
    this.#deps.onStatus(this);
    return this.#ended;
  }

  /** Syncs once the current event has reached every listener (the media source learns streams from it too). */
  #scheduleSync(): void {
    if (this.#syncQueued) return;
    this.#syncQueued = true;
    queueMicrotask(() => {
      this.#syncQueued = false;
      this.#sync();
    });
  }

  /** Starts captioners for the streams that should have one, and stops the others. */
  #sync(): void {
    if (this.#ended) return;
    const session = this.#deps.registry.get(this.settings.sessionId);
    const source = this.#deps.mediaSources.get(this.settings.sessionId);
    this.#follow(source);
    const wanted = new Set<string>();
    if (session && source) {
      const withMedia = new Set(
        source
          .streams()
          .filter((s) => s.audio)
          .map((s) => s.streamId),
      );
      for (const stream of session.streams) {
        if (wanted.size >= MAX_CAPTIONED_STREAMS) break;
        if (stream.announced && publishesCaptions(stream) && withMedia.has(stream.id)) wanted.add(stream.id);
      }
    }
    for (const [streamId, entry] of this.#captioners) {
      if (wanted.has(streamId) && entry.source === source) continue;
      this.#captioners.delete(streamId);
      void entry.captioner.close();
    }
    if (!session || !source) return;
    for (const streamId of wanted) {
      if (this.#captioners.has(streamId)) continue;
      this.#captioners.set(streamId, { captioner: this.#startStream(source, streamId), source });
    }
    const skipped = session.streams.filter(
      (stream: LiveStream) => publishesCaptions(stream) && !wanted.has(stream.id),
    ).length;
    if (skipped > 0 && wanted.size >= MAX_CAPTIONED_STREAMS) {
      this.#deps.warn(
        { captionsId: this.settings.id, skipped },
        `Only ${MAX_CAPTIONED_STREAMS} streams of a session are captioned at a time`,
      );
    }
  }

  /** Follows the track changes of `source` (null: of none). */
  #follow(source: MediaSource | null): void {
    if (source === this.#followed) return;
    this.#followed?.off('streamAdded', this.#onSourceChange).off('streamUpdated', this.#onSourceChange);
    this.#followed = source;
    source?.on('streamAdded', this.#onSourceChange).on('streamUpdated', this.#onSourceChange);
  }

  #startStream(source: MediaSource, streamId: string): StreamCaptioner {
    return new StreamCaptioner({
      source,
      streamId,
      python: this.#deps.python,
      model: this.#deps.model,
      partials: this.settings.partials,
      createDecoder: this.#deps.createDecoder,
      onResult: (result) => {
        // A recogniser closing after the captioning ended still reports its last words: drop them.
        if (this.#ended) return;
        const session = this.#deps.registry.get(this.settings.sessionId);
        const delivered = session ? deliverCaption(session, streamId, result) : 0;
        this.#deps.onResult?.(streamId, result, delivered);
      },
      onFailure: (reason) => {
        this.#deps.warn({ captionsId: this.settings.id, streamId, reason }, 'Live captions failed');
        void this.#end('failed', `Captioning of stream ${streamId} failed: ${reason}`);
      },
    });
  }
}
