/**
 * The shapes a broadcast takes: the start request as the REST layer hands it over (already validated
 * against the spec's `BroadcastStartParams`), the normalised settings the manager works with, what is
 * kept in `BroadcastRecord.data`, and the API object (the spec's `Broadcast`).
 */
import type { Layout, LayoutType, Resolution } from '../layouts.js';

/** The state of the HLS output (the spec's `hlsStatus`). */
export type HlsStatus = 'connecting' | 'ready' | 'live' | 'ended' | 'error';

/** The state of one RTMP target (the spec's `BroadcastRtmpOutput.status`). */
export type RtmpStatus = 'connecting' | 'live' | 'offline' | 'ended' | 'error';

/** One RTMP target as the start request gives it. */
export interface RtmpTargetParams {
  /** Absent or `null` (the `opentok` Java SDK) when the server assigns one. */
  id?: string | null;
  serverUrl: string;
  streamName: string;
}

/** The body of `startBroadcast` (the spec's `BroadcastStartParams`). */
export interface BroadcastStartParams {
  sessionId: string;
  outputs: {
    hls?: { dvr?: boolean; lowLatency?: boolean };
    rtmp?: readonly RtmpTargetParams[];
  };
  maxDuration?: number;
  maxBitrate?: number;
  resolution?: Resolution;
  /** A layout object, or a bare layout type as `@vonage/video` sends it. */
  layout?: Layout | LayoutType;
  streamMode?: 'auto' | 'manual';
  multiBroadcastTag?: string;
  hasAudio?: boolean;
  hasVideo?: boolean;
}

/** An RTMP target and its current state. */
export interface RtmpTargetState {
  id: string;
  serverUrl: string;
  streamName: string;
  status: RtmpStatus;
}

/** A stream of a `manual` broadcast and which of its tracks are included (the spec's `IncludedStream`). */
export interface IncludedStream {
  streamId: string;
  hasAudio: boolean;
  hasVideo: boolean;
}

/** The HLS options of a broadcast. */
export interface HlsSettings {
  dvr: boolean;
  lowLatency: boolean;
}

/**
 * What a broadcast keeps in `BroadcastRecord.data`: the API fields other than the record's own, minus
 * the HLS URL (derived from the server's base URL whenever the broadcast is shown, so a changed public
 * URL applies to old broadcasts too).
 */
export interface BroadcastData {
  multiBroadcastTag?: string;
  maxDuration: number;
  maxBitrate?: number;
  resolution: Resolution;
  streamMode: 'auto' | 'manual';
  hasAudio: boolean;
  hasVideo: boolean;
  /** The streams of a `manual` broadcast, in the order they were added. */
  streams: IncludedStream[];
  /** Present when the broadcast has an HLS output. */
  hls?: HlsSettings & { status: HlsStatus };
  rtmp: RtmpTargetState[];
  /** Why the broadcast stopped (not part of the API object; logged and kept for operators). */
  stopReason?: StopReason;
}

/** Why a broadcast stopped. */
export type StopReason = 'api' | 'maxDuration' | 'noClients' | 'failed' | 'shutdown' | 'serverRestart';

/** The spec's `Broadcast`. */
export interface BroadcastView {
  id: string;
  sessionId: string;
  applicationId: string;
  projectId: string;
  multiBroadcastTag?: string;
  createdAt: number;
  updatedAt: number;
  status: 'started' | 'stopped';
  maxDuration: number;
  maxBitrate?: number;
  resolution: Resolution;
  streamMode: 'auto' | 'manual';
  hasAudio: boolean;
  hasVideo: boolean;
  streams?: IncludedStream[];
  settings: { hls?: HlsSettings };
  broadcastUrls: {
    hls?: string;
    hlsStatus?: HlsStatus;
    rtmp: RtmpTargetState[];
  };
}

/** A page of broadcasts (the spec's `BroadcastList`). */
export interface BroadcastList {
  count: number;
  items: BroadcastView[];
}

/** The body of `updateBroadcastStreams` (the spec's `BroadcastStreamsUpdate`). */
export type BroadcastStreamsChange =
  | { addStream: string; hasAudio?: boolean; hasVideo?: boolean }
  | { removeStream: string };
