/**
 * The archive rules that depend on nothing but their inputs: which sessions can be recorded, when a new
 * archive clashes with a recording one (`multiArchiveTag`), how a `PATCH …/streams` body changes a
 * manual archive's streams, and the initial data of a record.
 */
import type { SessionRecord } from '../../store/types.js';
import { RecordingError } from '../errors.js';
import type { ArchiveData, IncludedStream } from './archive-view.js';
import { parseStartRequest } from './start-options.js';
import type { ArchiveSettings } from './types.js';

/** The body of `PATCH …/archive/{archiveId}/streams`. */
export type ArchiveStreamsChange =
  | { addStream: string; hasAudio?: boolean; hasVideo?: boolean; removeStream?: undefined }
  | { removeStream: string; addStream?: undefined };

/** Throws unless the session's media can be recorded here (routed, not end-to-end encrypted). */
export function assertRecordable(session: SessionRecord): void {
  if (session.mediaMode !== 'routed') {
    throw new RecordingError(
      'SESSION_RELAYED',
      'The session is relayed (it does not use the media router), so it cannot be archived',
    );
  }
  if (session.e2ee) throw new RecordingError('SESSION_E2EE');
}

/**
 * Throws when an archive of the same session with the same `multiArchiveTag` (or, without a tag,
 * any untagged one) is recording: at most one archive per session and tag.
 */
export function assertNoClash(
  recording: Iterable<{ settings: ArchiveSettings }>,
  settings: ArchiveSettings,
): void {
  const tag = settings.multiArchiveTag;
  for (const other of recording) {
    if (other.settings.sessionId !== settings.sessionId || other.settings.multiArchiveTag !== tag) continue;
    throw tag
      ? new RecordingError(
          'DUPLICATE_ARCHIVE_TAG',
          `An archive with multiArchiveTag ${tag} is already recording this session`,
        )
      : new RecordingError('ALREADY_RECORDING');
  }
}

/**
 * The streams of a manual archive after `change`: `addStream` adds a published stream (or changes the
 * tracks of one already included, keeping when it was added), `removeStream` removes one.
 *
 * @param published The IDs of the streams published in the session now.
 */
export function changedStreams(
  current: readonly IncludedStream[],
  published: ReadonlySet<string>,
  change: ArchiveStreamsChange,
  now: number,
): IncludedStream[] {
  const hasAdd = typeof change.addStream === 'string';
  const hasRemove = typeof change.removeStream === 'string';
  if (hasAdd === hasRemove) {
    throw new RecordingError('INVALID_FIELD', 'body must have exactly one of addStream and removeStream');
  }
  if (change.addStream !== undefined) {
    const streamId = change.addStream;
    const hasAudio = ('hasAudio' in change ? change.hasAudio : undefined) ?? true;
    const hasVideo = ('hasVideo' in change ? change.hasVideo : undefined) ?? true;
    if (!hasAudio && !hasVideo) {
      throw new RecordingError('INVALID_FIELD', 'body.hasAudio and body.hasVideo cannot both be false');
    }
    if (!published.has(streamId)) {
      throw new RecordingError('STREAM_NOT_FOUND', `Stream ${streamId} was not found in the session`);
    }
    const existing = current.find((s) => s.streamId === streamId);
    const entry = { streamId, hasAudio, hasVideo, addedAt: existing?.addedAt ?? now };
    return existing ? current.map((s) => (s.streamId === streamId ? entry : s)) : [...current, entry];
  }
  const streamId = change.removeStream;
  if (!published.has(streamId) && !current.some((s) => s.streamId === streamId)) {
    throw new RecordingError('STREAM_NOT_FOUND', `Stream ${streamId} was not found in the session`);
  }
  return current.filter((s) => s.streamId !== streamId);
}

/** The stored data of a new archive. */
export function newArchiveData(settings: ArchiveSettings, automatic: boolean): ArchiveData {
  const data: ArchiveData = {
    name: settings.name,
    reason: '',
    outputMode: settings.outputMode,
    streamMode: settings.streamMode,
    hasAudio: settings.hasAudio,
    hasVideo: settings.hasVideo,
    hasTranscription: settings.hasTranscription,
    size: 0,
    duration: 0,
    sha256sum: '',
    streams: [],
    automatic,
  };
  if (settings.resolution) data.resolution = settings.resolution;
  if (settings.layout) data.layout = settings.layout;
  if (settings.multiArchiveTag) data.multiArchiveTag = settings.multiArchiveTag;
  if (settings.maxBitrate !== undefined) data.maxBitrate = settings.maxBitrate;
  if (settings.quantizationParameter !== undefined)
    data.quantizationParameter = settings.quantizationParameter;
  if (settings.hasTranscription) {
    const properties = settings.transcriptionProperties ?? {};
    data.transcriptionProperties = properties;
    // Honest about what this server can do: the recording is made, the transcription is not.
    data.transcription = {
      status: 'failed',
      reason: 'This server has no speech-to-text engine, so it cannot transcribe archives',
      url: null,
      primaryLanguageCode: properties.primaryLanguageCode ?? 'en-US',
      hasSummary: properties.hasSummary ?? false,
    };
  }
  return data;
}

/** The settings of the automatic archive of an `archiveMode: always` session. */
export function automaticSettings(session: SessionRecord): ArchiveSettings {
  return parseStartRequest({
    sessionId: session.sessionId,
    name: session.archiveName,
    resolution: session.archiveResolution,
  });
}
