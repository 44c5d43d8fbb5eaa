/**
 * A stored broadcast as the API shows it (the spec's `Broadcast`) and as the `broadcastStatus` webhook
 * sends it (`BroadcastStatusEvent`: the same object plus `event`, `partnerId` and `timestamp`).
 */
import type { BroadcastRecord } from '../../store/types.js';
import type { BroadcastData, BroadcastView } from './types.js';

/** The path of a broadcast's HLS playlist on this server (the spec's `getHlsFile`). */
export function hlsPlaylistPath(broadcastId: string): string {
  return `/hls/${broadcastId}/index.m3u8`;
}

/** The data of a stored broadcast. */
export function broadcastData(record: BroadcastRecord): BroadcastData {
  return record.data as unknown as BroadcastData;
}

/**
 * The API object. `baseUrl` is the server's public origin (no trailing slash); with DVR the HLS URL
 * ends in `?DVR`, as on Vonage (the query string is ignored when the file is served).
 */
export function broadcastView(record: BroadcastRecord, apiKey: string, baseUrl: string): BroadcastView {
  const data = broadcastData(record);
  const view: BroadcastView = {
    id: record.id,
    sessionId: record.sessionId,
    applicationId: record.applicationId,
    projectId: apiKey,
    ...(data.multiBroadcastTag !== undefined ? { multiBroadcastTag: data.multiBroadcastTag } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    status: record.status,
    maxDuration: data.maxDuration,
    ...(data.maxBitrate !== undefined ? { maxBitrate: data.maxBitrate } : {}),
    resolution: data.resolution,
    streamMode: data.streamMode,
    hasAudio: data.hasAudio,
    hasVideo: data.hasVideo,
    settings: {},
    broadcastUrls: { rtmp: data.rtmp.map((target) => ({ ...target })) },
  };
  // `streams` is present only while a manual broadcast runs (the spec's if/then rule).
  if (data.streamMode === 'manual' && record.status === 'started') {
    view.streams = data.streams.map((stream) => ({ ...stream }));
  }
  if (data.hls) {
    const { dvr, lowLatency, status } = data.hls;
    view.settings.hls = { dvr, lowLatency };
    view.broadcastUrls.hls = `${baseUrl.replace(/\/+$/, '')}${hlsPlaylistPath(record.id)}${dvr ? '?DVR' : ''}`;
    view.broadcastUrls.hlsStatus = status;
  }
  return view;
}

/** The body of the `broadcastStatus` webhook for a status change to `status`, at `timestamp`. */
export function broadcastStatusEvent(
  view: BroadcastView,
  status: 'started' | 'stopped' | 'failed',
  timestamp: number,
): Record<string, unknown> {
  return {
    ...view,
    event: 'broadcast',
    status,
    partnerId: view.projectId,
    timestamp,
  };
}
