/**
 * The broadcast rules that depend on nothing but their inputs: when a new broadcast clashes with a
 * running one (`multiBroadcastTag`), the initial data of a record, and how a `PATCH …/streams` body
 * changes a manual broadcast's streams.
 */
import { RecordingError } from '../errors.js';
import type { BroadcastSettings } from './settings.js';
import type { BroadcastData, BroadcastStreamsChange, IncludedStream } from './types.js';

/** A broadcast that runs (or is stopping) on this server, as the clash rule sees it. */
export interface RunningBroadcastView {
  record: { id: string; sessionId: string };
  data: Pick<BroadcastData, 'multiBroadcastTag'>;
  /** Set once the broadcast is stopping (it no longer counts). */
  stopping: unknown;
}

/**
 * Throws unless a broadcast of `sessionId` with `tag` may start: a session is broadcast at most once
 * without a tag, and at most once per distinct `multiBroadcastTag`.
 */
export function assertNoTagClash(
  running: Iterable<RunningBroadcastView>,
  sessionId: string,
  tag: string | undefined,
): void {
  for (const entry of running) {
    if (entry.record.sessionId !== sessionId || entry.stopping) continue;
    if (tag === undefined) {
      throw new RecordingError(
        'ALREADY_BROADCASTING',
        `Session ${sessionId} is already being broadcast (broadcast ${entry.record.id}); set a distinct multiBroadcastTag to broadcast it more than once`,
      );
    }
    if (entry.data.multiBroadcastTag === tag) {
      throw new RecordingError(
        'DUPLICATE_BROADCAST_TAG',
        `A broadcast with multiBroadcastTag ${tag} is already running for this session`,
      );
    }
  }
}

/** The stored data of a new broadcast. */
export function initialBroadcastData(settings: BroadcastSettings): BroadcastData {
  return {
    ...(settings.multiBroadcastTag !== undefined ? { multiBroadcastTag: settings.multiBroadcastTag } : {}),
    maxDuration: settings.maxDuration,
    ...(settings.maxBitrate !== undefined ? { maxBitrate: settings.maxBitrate } : {}),
    resolution: settings.resolution,
    streamMode: settings.streamMode,
    hasAudio: settings.hasAudio,
    hasVideo: settings.hasVideo,
    streams: [],
    ...(settings.hls ? { hls: { ...settings.hls, status: 'connecting' as const } } : {}),
    rtmp: settings.rtmp,
  };
}

/**
 * Applies a `PATCH …/streams` body to a manual broadcast's streams, in place: `addStream` adds a
 * published stream (or changes the tracks of one already included), `removeStream` removes one.
 *
 * @param isPublished Whether a stream is published in the session now.
 */
export function applyStreamsChange(
  streams: IncludedStream[],
  change: BroadcastStreamsChange,
  isPublished: (streamId: string) => boolean,
): void {
  if ('addStream' in change) {
    const { addStream: streamId } = change;
    const hasAudio = change.hasAudio ?? true;
    const hasVideo = change.hasVideo ?? true;
    if (!hasAudio && !hasVideo) {
      throw new RecordingError('INVALID_FIELD', 'body.hasAudio and body.hasVideo cannot both be false');
    }
    if (!isPublished(streamId)) {
      throw new RecordingError('STREAM_NOT_FOUND', `Stream ${streamId} was not found in the session`);
    }
    const existing = streams.find((s) => s.streamId === streamId);
    if (existing) Object.assign(existing, { hasAudio, hasVideo });
    else streams.push({ streamId, hasAudio, hasVideo });
    return;
  }
  const { removeStream: streamId } = change;
  const index = streams.findIndex((s) => s.streamId === streamId);
  if (index < 0 && !isPublished(streamId)) {
    throw new RecordingError('STREAM_NOT_FOUND', `Stream ${streamId} was not found in the session`);
  }
  if (index >= 0) streams.splice(index, 1);
}
