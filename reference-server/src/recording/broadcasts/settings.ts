/**
 * Turns a validated `startBroadcast` body into the settings a broadcast runs with: defaults filled in,
 * the layout normalised (a bare type string means `{type}`; `custom` is refused here), RTMP target IDs
 * assigned and checked for duplicates, and the rules the spec states but a JSON Schema cannot (or that
 * other SDKs bypass) checked again with a message naming the field.
 */

import { RecordingError } from '../errors.js';
import { LAYOUT_TYPES, type Layout, type LayoutType, type Resolution } from '../layouts.js';
import type { BroadcastStartParams, HlsSettings, RtmpTargetState } from './types.js';

/** The most RTMP targets a broadcast has. */
export const MAX_RTMP_TARGETS = 5;
/** `maxDuration` limits and default, in seconds. */
export const MAX_DURATION = { min: 60, max: 36_000, default: 14_400 } as const;
/** `maxBitrate` limits, in bits per second. */
export const MAX_BITRATE = { min: 100_000, max: 6_000_000 } as const;
/** The default resolution. */
export const DEFAULT_RESOLUTION: Resolution = '640x480';

/** The normalised settings of a broadcast. */
export interface BroadcastSettings {
  sessionId: string;
  hls: HlsSettings | null;
  /** The targets with their IDs, all `connecting`. */
  rtmp: RtmpTargetState[];
  maxDuration: number;
  maxBitrate: number | undefined;
  resolution: Resolution;
  layout: Layout;
  streamMode: 'auto' | 'manual';
  multiBroadcastTag: string | undefined;
  hasAudio: boolean;
  hasVideo: boolean;
}

const invalid = (message: string): RecordingError => new RecordingError('INVALID_FIELD', message);

/**
 * Normalises and checks a layout (`field` names it in errors). `custom` layouts are valid in the API
 * but need a browser renderer this server does not have: they are refused with 40022.
 */
export function normalizeLayout(layout: Layout | LayoutType | undefined, field: string): Layout {
  if (layout === undefined) return { type: 'bestFit' };
  const value: Layout = typeof layout === 'string' ? { type: layout } : { ...layout };
  value.type ??= 'bestFit';
  if (!(LAYOUT_TYPES as readonly string[]).includes(value.type)) {
    throw invalid(`${field}.type must be one of ${LAYOUT_TYPES.join(', ')}`);
  }
  if (value.type === 'custom') {
    throw new RecordingError(
      'CUSTOM_LAYOUT_UNSUPPORTED',
      `${field}.type custom is not supported by this server: custom (CSS) layouts need a browser renderer, which this deployment does not have; use bestFit, pip, verticalPresentation or horizontalPresentation`,
    );
  }
  if (value.stylesheet !== undefined) throw invalid(`${field}.stylesheet is allowed only with type custom`);
  if (value.screenshareType !== undefined && value.type !== 'bestFit') {
    throw invalid(`${field}.type must be bestFit when ${field}.screenshareType is set`);
  }
  return value;
}

/** The `rtmp://host/app/streamName` URL ffmpeg pushes to. */
export function rtmpUrl(target: Pick<RtmpTargetState, 'serverUrl' | 'streamName'>): string {
  return `${target.serverUrl.replace(/\/+$/, '')}/${target.streamName}`;
}

function normalizeRtmp(targets: BroadcastStartParams['outputs']['rtmp']): RtmpTargetState[] {
  const list = targets ?? [];
  if (list.length > MAX_RTMP_TARGETS) {
    throw invalid(`body.outputs.rtmp must NOT have more than ${MAX_RTMP_TARGETS} items`);
  }
  const given = new Set<string>();
  list.forEach((target, index) => {
    if (!/^rtmps?:\/\/[^\s/?#]+(\/\S*)?$/.test(target.serverUrl)) {
      throw invalid(`body.outputs.rtmp[${index}].serverUrl must be an rtmp:// or rtmps:// URL`);
    }
    if (target.streamName === '' || /[\s\p{Cc}]/u.test(target.streamName)) {
      throw invalid(
        `body.outputs.rtmp[${index}].streamName must be non-empty and contain no whitespace or control characters`,
      );
    }
    if (target.id === undefined || target.id === null) return;
    if (given.has(target.id)) {
      throw invalid(`body.outputs.rtmp[${index}].id repeats ${target.id}; the ids must be distinct`);
    }
    given.add(target.id);
  });
  // Targets without an ID get the first free `rtmp<n>` (n = their position, counting from 1).
  const assigned = new Set(given);
  return list.map((target, index) => {
    let id = target.id ?? null;
    if (id === null) {
      let n = index + 1;
      while (assigned.has(`rtmp${n}`)) n++;
      id = `rtmp${n}`;
      assigned.add(id);
    }
    return { id, serverUrl: target.serverUrl, streamName: target.streamName, status: 'connecting' };
  });
}

/** See the file comment. Throws a {@link RecordingError} naming the field. */
export function normalizeStartParams(params: BroadcastStartParams): BroadcastSettings {
  const { outputs } = params;
  const hlsParams = outputs.hls;
  const hls = hlsParams ? { dvr: hlsParams.dvr ?? false, lowLatency: hlsParams.lowLatency ?? false } : null;
  if (hls?.dvr && hls.lowLatency) {
    throw invalid('body.outputs.hls.dvr and body.outputs.hls.lowLatency cannot both be true');
  }
  const rtmp = normalizeRtmp(outputs.rtmp);
  if (!hls && rtmp.length === 0) {
    throw invalid('body.outputs must have an hls output or at least one rtmp target');
  }
  const maxDuration = params.maxDuration ?? MAX_DURATION.default;
  if (!Number.isInteger(maxDuration) || maxDuration < MAX_DURATION.min || maxDuration > MAX_DURATION.max) {
    throw invalid(
      `body.maxDuration must be an integer from ${MAX_DURATION.min} to ${MAX_DURATION.max} (seconds)`,
    );
  }
  const { maxBitrate } = params;
  if (
    maxBitrate !== undefined &&
    (!Number.isInteger(maxBitrate) || maxBitrate < MAX_BITRATE.min || maxBitrate > MAX_BITRATE.max)
  ) {
    throw invalid(`body.maxBitrate must be an integer from ${MAX_BITRATE.min} to ${MAX_BITRATE.max}`);
  }
  const hasAudio = params.hasAudio ?? true;
  const hasVideo = params.hasVideo ?? true;
  if (!hasAudio && !hasVideo) throw invalid('body.hasAudio and body.hasVideo cannot both be false');
  return {
    sessionId: params.sessionId,
    hls,
    rtmp,
    maxDuration,
    maxBitrate,
    resolution: params.resolution ?? DEFAULT_RESOLUTION,
    layout: normalizeLayout(params.layout, 'body.layout'),
    streamMode: params.streamMode ?? 'auto',
    multiBroadcastTag: params.multiBroadcastTag,
    hasAudio,
    hasVideo,
  };
}
