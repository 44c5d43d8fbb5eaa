/**
 * Live-streaming broadcasts (HLS and RTMP): the manager the REST operations call, and the types they
 * exchange. See `broadcast-manager.ts`.
 */
export { type BroadcastLogger, BroadcastManager, type BroadcastManagerOptions } from './broadcast-manager.js';
export { broadcastStatusEvent, broadcastView, hlsPlaylistPath } from './broadcast-view.js';
export { HLS_FILE_NAME, type HlsFile } from './hls-files.js';
export { MAX_BITRATE, MAX_DURATION, MAX_RTMP_TARGETS } from './settings.js';
export type {
  BroadcastList,
  BroadcastStartParams,
  BroadcastStreamsChange,
  BroadcastView,
  HlsStatus,
  IncludedStream,
  RtmpStatus,
  RtmpTargetState,
} from './types.js';
