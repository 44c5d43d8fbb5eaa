/**
 * The stored form of an archive (`ArchiveRecord.data`) and the two shapes it is shown in: the REST
 * `Archive` object and the `archiveStatus` webhook body (`ArchiveStatusEvent`). Both are built here so
 * they never drift apart.
 */
import type { ArchiveRecord, ProjectRecord } from '../../store/types.js';
import type { Layout, Resolution } from '../layouts.js';

/** A stream of a manual-mode archive and which of its tracks are recorded. */
export interface IncludedStream {
  streamId: string;
  hasAudio: boolean;
  hasVideo: boolean;
  /** When it was added (the layout orders streams by it). */
  addedAt: number;
}

/** What an archive record keeps in `data`. */
export interface ArchiveData {
  name: string;
  reason: string;
  outputMode: 'composed' | 'individual';
  streamMode: 'auto' | 'manual';
  hasAudio: boolean;
  hasVideo: boolean;
  hasTranscription: boolean;
  resolution?: Resolution;
  /** The current layout (composed only); kept so a restart knows it. */
  layout?: Layout;
  multiArchiveTag?: string;
  maxBitrate?: number;
  quantizationParameter?: number;
  size: number;
  /** Recorded seconds; 0 while recording. */
  duration: number;
  sha256sum: string;
  /** Manual mode: the streams added with `PATCH …/streams`. */
  streams: IncludedStream[];
  /** Started by an `archiveMode: always` session (cannot be stopped through the API). */
  automatic: boolean;
  transcription?: {
    status: string;
    reason: string;
    url: null;
    primaryLanguageCode: string;
    hasSummary: boolean;
  };
  transcriptionProperties?: { primaryLanguageCode?: string; hasSummary?: boolean };
}

/** The typed data of a record. */
export function archiveData(record: ArchiveRecord): ArchiveData {
  return record.data as unknown as ArchiveData;
}

/** The statuses in which an archive records. */
export const RECORDING_STATUSES: ReadonlySet<ArchiveRecord['status']> = new Set(['started', 'paused']);

/** Whether the archive is recording (`started` or `paused`). */
export function isRecording(record: ArchiveRecord): boolean {
  return RECORDING_STATUSES.has(record.status);
}

/**
 * The REST `Archive` object. `url` is the fresh signed download URL (only passed while `available`).
 */
export function archiveObject(
  record: ArchiveRecord,
  project: Pick<ProjectRecord, 'apiKey'>,
  url: string | null,
): Record<string, unknown> {
  const data = archiveData(record);
  const body: Record<string, unknown> = {
    id: record.id,
    status: record.status,
    name: data.name,
    reason: isRecording(record) ? '' : data.reason,
    sessionId: record.sessionId,
    applicationId: record.applicationId,
    projectId: project.apiKey,
    partnerId: project.apiKey,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    size: data.size,
    duration: data.duration,
    outputMode: data.outputMode,
    streamMode: data.streamMode,
    hasAudio: data.hasAudio,
    hasVideo: data.hasVideo,
    hasTranscription: data.hasTranscription,
  };
  if (data.outputMode === 'composed' && data.resolution) body.resolution = data.resolution;
  if (data.streamMode === 'manual' && record.status === 'started') body.streams = includedStreams(data);
  body.url = record.status === 'available' ? url : null;
  body.sha256sum = data.sha256sum;
  body.password = '';
  if (data.multiArchiveTag) body.multiArchiveTag = data.multiArchiveTag;
  if (data.maxBitrate !== undefined) body.maxBitrate = data.maxBitrate;
  if (data.quantizationParameter !== undefined) body.quantizationParameter = data.quantizationParameter;
  if (data.hasTranscription) {
    if (data.transcription) body.transcription = data.transcription;
    body.transcriptionProperties = data.transcriptionProperties ?? {};
  }
  return body;
}

/**
 * The `archiveStatus` webhook body: the Vonage callback (`event: archive`, `partnerId`) plus
 * `applicationId`, `projectId`, `timestamp`, `updatedAt`; `createdAt` rounded to the second as Vonage's.
 */
export function archiveStatusEvent(
  record: ArchiveRecord,
  project: Pick<ProjectRecord, 'apiKey'>,
  url: string | null,
  timestamp: number,
): Record<string, unknown> {
  const data = archiveData(record);
  const body: Record<string, unknown> = {
    id: record.id,
    event: 'archive',
    status: record.status,
    name: data.name,
    reason: isRecording(record) ? '' : data.reason,
    sessionId: record.sessionId,
    applicationId: record.applicationId,
    projectId: project.apiKey,
    partnerId: project.apiKey,
    createdAt: Math.round(record.createdAt / 1000) * 1000,
    updatedAt: record.updatedAt,
    timestamp,
    size: data.size,
    duration: data.duration,
    outputMode: data.outputMode,
    streamMode: data.streamMode,
    hasAudio: data.hasAudio,
    hasVideo: data.hasVideo,
  };
  if (data.outputMode === 'composed' && data.resolution) body.resolution = data.resolution;
  if (data.streamMode === 'manual' && record.status === 'started') body.streams = includedStreams(data);
  body.url = record.status === 'available' ? url : null;
  return body;
}

function includedStreams(data: ArchiveData): { streamId: string; hasAudio: boolean; hasVideo: boolean }[] {
  return data.streams.map(({ streamId, hasAudio, hasVideo }) => ({ streamId, hasAudio, hasVideo }));
}
