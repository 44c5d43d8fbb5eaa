/**
 * Turns a start request (the spec's `ArchiveStartParams`) into the settings an archive records with.
 *
 * The REST layer has already validated the body against the spec, but the manager is also called
 * directly (by `archiveMode: always` sessions, by tests, by embedders), so the rules that matter for
 * recording are checked again here and fail with the same codes and field names. `null` means "not set"
 * for every option, as the legacy `opentok` Python SDK sends it.
 */
import { RecordingError } from '../errors.js';
import {
  isResolution,
  LAYOUT_TYPES,
  type Layout,
  type LayoutType,
  SCREENSHARE_TYPES,
  type ScreenshareType,
} from '../layouts.js';
import type { ArchiveSettings } from './types.js';

/** A start request as the API takes it (after spec validation, before defaults). */
export interface ArchiveStartRequest {
  sessionId: string;
  name?: string | null;
  hasAudio?: boolean | null;
  hasVideo?: boolean | null;
  outputMode?: 'composed' | 'individual' | null;
  resolution?: string | null;
  layout?: { type?: string; stylesheet?: string; screenshareType?: string } | null;
  streamMode?: 'auto' | 'manual' | null;
  multiArchiveTag?: string | null;
  maxBitrate?: number | null;
  quantizationParameter?: number | null;
  hasTranscription?: boolean | null;
  transcriptionProperties?: { primaryLanguageCode?: string; hasSummary?: boolean } | null;
}

const invalid = (message: string): RecordingError => new RecordingError('INVALID_FIELD', message);

/**
 * Validates a layout object (`field` names it in messages). A `custom` layout is well-formed API input,
 * but this server cannot render CSS, so it is refused with 40022 after the shape checks.
 */
export function parseLayout(value: ArchiveStartRequest['layout'], field: string): Layout {
  const type = (value?.type ?? 'bestFit') as LayoutType;
  if (!(LAYOUT_TYPES as readonly string[]).includes(type)) {
    throw invalid(`${field}.type must be one of ${LAYOUT_TYPES.join(', ')}`);
  }
  if (type === 'custom' && !value?.stylesheet) {
    throw invalid(`${field}.stylesheet is required when ${field}.type is custom`);
  }
  if (type !== 'custom' && value?.stylesheet !== undefined) {
    throw invalid(`${field}.stylesheet is allowed only when ${field}.type is custom`);
  }
  const screenshareType = value?.screenshareType;
  if (screenshareType !== undefined) {
    if (!(SCREENSHARE_TYPES as readonly string[]).includes(screenshareType)) {
      throw invalid(`${field}.screenshareType must be one of ${SCREENSHARE_TYPES.join(', ')}`);
    }
    if (type !== 'bestFit') throw invalid(`${field}.screenshareType requires ${field}.type bestFit`);
  }
  if (type === 'custom') {
    throw new RecordingError(
      'CUSTOM_LAYOUT_UNSUPPORTED',
      'The custom layout type is not supported by this server: custom stylesheets need a browser-based renderer, which this deployment does not have. Use bestFit, pip, verticalPresentation or horizontalPresentation with layout classes instead',
    );
  }
  return screenshareType ? { type, screenshareType: screenshareType as ScreenshareType } : { type };
}

/** The settings of a start request; throws a {@link RecordingError} naming the field that breaks a rule. */
export function parseStartRequest(body: ArchiveStartRequest): ArchiveSettings {
  const outputMode = body.outputMode ?? 'composed';
  const hasAudio = body.hasAudio ?? true;
  const hasVideo = body.hasVideo ?? true;
  if (!hasAudio && !hasVideo) throw invalid('body.hasAudio and body.hasVideo cannot both be false');
  const maxBitrate = body.maxBitrate ?? undefined;
  const quantizationParameter = body.quantizationParameter ?? undefined;
  if (maxBitrate !== undefined && quantizationParameter !== undefined) {
    throw invalid('body.maxBitrate and body.quantizationParameter are mutually exclusive');
  }
  if (
    maxBitrate !== undefined &&
    (!Number.isInteger(maxBitrate) || maxBitrate < 100_000 || maxBitrate > 6_000_000)
  ) {
    throw invalid('body.maxBitrate must be an integer from 100000 to 6000000');
  }
  if (
    quantizationParameter !== undefined &&
    (!Number.isInteger(quantizationParameter) || quantizationParameter < 15 || quantizationParameter > 40)
  ) {
    throw invalid('body.quantizationParameter must be an integer from 15 to 40');
  }
  const hasTranscription = body.hasTranscription ?? false;
  if (hasTranscription && outputMode !== 'individual') {
    throw invalid('body.hasTranscription requires body.outputMode individual');
  }
  if (hasTranscription && !hasAudio) throw invalid('body.hasTranscription requires body.hasAudio');
  if (body.transcriptionProperties && !hasTranscription) {
    throw invalid('body.transcriptionProperties requires body.hasTranscription true');
  }
  const settings: ArchiveSettings = {
    sessionId: body.sessionId,
    name: body.name ?? '',
    outputMode,
    streamMode: body.streamMode ?? 'auto',
    hasAudio,
    hasVideo,
    hasTranscription,
  };
  if (body.multiArchiveTag) settings.multiArchiveTag = body.multiArchiveTag;
  if (hasTranscription) settings.transcriptionProperties = { ...(body.transcriptionProperties ?? {}) };
  if (outputMode === 'individual') {
    for (const field of ['resolution', 'layout', 'maxBitrate', 'quantizationParameter'] as const) {
      // The spec's defaults (`resolution: 640x480`, `layout: bestFit`) are filled in by request
      // validation, so only a value other than the default can be one the client set.
      if (body[field] !== undefined && body[field] !== null && !isSpecDefault(field, body[field])) {
        throw invalid(`body.${field} is not allowed when body.outputMode is individual`);
      }
    }
    return settings;
  }
  const resolution = body.resolution ?? '640x480';
  if (!isResolution(resolution)) {
    throw invalid(
      'body.resolution must be one of 640x480, 480x640, 1280x720, 720x1280, 1920x1080, 1080x1920',
    );
  }
  settings.resolution = resolution;
  settings.layout = parseLayout(body.layout ?? null, 'body.layout');
  if (maxBitrate !== undefined) settings.maxBitrate = maxBitrate;
  if (quantizationParameter !== undefined) settings.quantizationParameter = quantizationParameter;
  return settings;
}

/** True for the value the spec's schema gives a field by default (filled in before the handler runs). */
function isSpecDefault(field: string, value: unknown): boolean {
  if (field === 'resolution') return value === '640x480';
  if (field === 'layout') {
    const layout = value as { type?: unknown; stylesheet?: unknown; screenshareType?: unknown };
    return layout.type === 'bestFit' && layout.stylesheet == null && layout.screenshareType == null;
  }
  return false;
}
