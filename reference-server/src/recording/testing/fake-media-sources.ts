/**
 * A {@link MediaSourceProvider} for tests: the test opens and closes live sessions, each a
 * {@link FakeMediaSource}, and `open()` announces one with `sourceOpened` as the realtime layer does.
 */
import { TypedEmitter } from '@parley/events';
import type { MediaSource, MediaSourceProvider, MediaSourceProviderEvents } from '../media-source.js';
import { FakeMediaSource } from './fake-media-source.js';

/** Live sessions the test controls; see the file comment. */
export class FakeMediaSources extends TypedEmitter<MediaSourceProviderEvents> implements MediaSourceProvider {
  readonly sources = new Map<string, FakeMediaSource>();

  get(sessionId: string): MediaSource | null {
    return this.sources.get(sessionId) ?? null;
  }

  /** Opens (or replaces) the live session's media and emits `sourceOpened`. */
  open(sessionId: string): FakeMediaSource {
    const source = new FakeMediaSource(sessionId);
    this.sources.set(sessionId, source);
    this.emit('sourceOpened', source);
    return source;
  }

  /** Ends the live session's media. */
  close(sessionId: string): void {
    const source = this.sources.get(sessionId);
    this.sources.delete(sessionId);
    source?.end();
  }
}
