/**
 * The {@link MediaSourceProvider} of the realtime layer: one {@link LiveMediaSource} per routed session
 * that has clients on this server, fed from the registry's session events.
 *
 * A source opens with the session's first client (`sourceOpened`). When the last client leaves it emits
 * `connectionCountChanged(0)` and **lingers** (no streams, no clients) for `lingerMs` before it closes, so
 * the recording managers' own "stop 60 s after the last client left" rule decides, and a recording
 * simply continues on the same source when clients come back in time. Every return of clients to an
 * empty session emits `sourceOpened` again (with the lingering source, or a new one after it closed), so
 * an `archiveMode: always` session restarts recording once its earlier archive has stopped.
 */
import { TypedEmitter } from '@parley/events';
import type {
  MediaSource,
  MediaSourceProvider,
  MediaSourceProviderEvents,
} from '../../recording/media-source.js';
import type { LiveSession } from '../session/live-session.js';
import type { LiveSessionRegistry } from '../session/registry.js';
import { LiveMediaSource } from './live-media-source.js';

/** See the file comment. */
export class LiveMediaSources extends TypedEmitter<MediaSourceProviderEvents> implements MediaSourceProvider {
  readonly #registry: LiveSessionRegistry;
  readonly #lingerMs: number;
  readonly #sources = new Map<string, LiveMediaSource>();
  /** The close timers of sources whose session has no client. */
  readonly #lingering = new Map<string, NodeJS.Timeout>();
  readonly #detach: () => void;

  /**
   * @param options.lingerMs - how long a source outlives its session's last client; keep it above the
   *   recording managers' idle stop (60 s). Default {@link DEFAULT_SOURCE_LINGER_MS}.
   */
  constructor(registry: LiveSessionRegistry, options: { lingerMs?: number } = {}) {
    super();
    const lingerMs = options.lingerMs ?? DEFAULT_SOURCE_LINGER_MS;
    if (!Number.isFinite(lingerMs) || lingerMs < 0) {
      throw new RangeError('lingerMs must be a non-negative number of milliseconds');
    }
    this.#lingerMs = lingerMs;
    this.#registry = registry;
    const listeners = {
      sessionStarted: (session: LiveSession) => this.#open(session),
      sessionEnded: (session: LiveSession) => this.#linger(session),
      connectionCreated: (session: LiveSession) => this.#sourceOf(session)?.connectionsChanged(),
      connectionDestroyed: (session: LiveSession) => this.#sourceOf(session)?.connectionsChanged(),
      streamCreated: (session: LiveSession, stream: { id: string }) => {
        const live = session.stream(stream.id);
        if (live) this.#sourceOf(session)?.streamAnnounced(live);
      },
      streamUpdated: (session: LiveSession, stream: { id: string }) =>
        this.#sourceOf(session)?.streamChanged(stream.id),
      streamDestroyed: (session: LiveSession, stream: { id: string }) =>
        this.#sourceOf(session)?.streamEnded(stream.id),
    };
    registry
      .on('sessionStarted', listeners.sessionStarted)
      .on('sessionEnded', listeners.sessionEnded)
      .on('connectionCreated', listeners.connectionCreated)
      .on('connectionDestroyed', listeners.connectionDestroyed)
      .on('streamCreated', listeners.streamCreated)
      .on('streamUpdated', listeners.streamUpdated)
      .on('streamDestroyed', listeners.streamDestroyed);
    this.#detach = () => {
      registry
        .off('sessionStarted', listeners.sessionStarted)
        .off('sessionEnded', listeners.sessionEnded)
        .off('connectionCreated', listeners.connectionCreated)
        .off('connectionDestroyed', listeners.connectionDestroyed)
        .off('streamCreated', listeners.streamCreated)
        .off('streamUpdated', listeners.streamUpdated)
        .off('streamDestroyed', listeners.streamDestroyed);
    };
  }

  get(sessionId: string): MediaSource | null {
    const source = this.#sources.get(sessionId);
    if (source) return source;
    // Normally opened by `sessionStarted`; this covers a session that started before the provider existed.
    const session = this.#registry.get(sessionId);
    return session && session.connections.length > 0 ? this.#open(session, false) : null;
  }

  /** Closes every source (lingering ones included) and stops following the registry. */
  close(): void {
    this.#detach();
    for (const sessionId of [...this.#sources.keys()]) this.#close(sessionId);
  }

  #open(session: LiveSession, announce = true): LiveMediaSource | null {
    const producers = session.media.producers;
    // Relayed sessions (and routed ones without an SFU) have no media on this server to record.
    if (!producers) return null;
    clearTimeout(this.#lingering.get(session.sessionId));
    this.#lingering.delete(session.sessionId);
    let source = this.#sources.get(session.sessionId);
    if (source) source.rebind(session, producers);
    else {
      source = new LiveMediaSource(session, producers);
      this.#sources.set(session.sessionId, source);
    }
    if (announce) this.emit('sourceOpened', source);
    return source;
  }

  /** The session's last client left: the source closes after the linger time unless clients return. */
  #linger(session: LiveSession): void {
    const { sessionId } = session;
    if (!this.#sources.has(sessionId) || this.#lingering.has(sessionId)) return;
    const timer = setTimeout(() => this.#close(sessionId), this.#lingerMs);
    timer.unref();
    this.#lingering.set(sessionId, timer);
  }

  #close(sessionId: string): void {
    clearTimeout(this.#lingering.get(sessionId));
    this.#lingering.delete(sessionId);
    const source = this.#sources.get(sessionId);
    if (!source) return;
    this.#sources.delete(sessionId);
    source.close();
  }

  /** The source fed by this live session object, if any (not one left over from a dropped session). */
  #sourceOf(session: LiveSession): LiveMediaSource | undefined {
    const source = this.#sources.get(session.sessionId);
    return source?.isBoundTo(session) ? source : undefined;
  }
}

/** How long a source outlives its session's last client by default: past the 60 s idle stops. */
export const DEFAULT_SOURCE_LINGER_MS = 120_000;
