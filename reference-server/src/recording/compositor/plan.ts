/**
 * What a composer process must do right now: which tracks it receives, where each video goes and which
 * audio is mixed. A recorder recomputes the plan whenever the session, the layout or the stream selection
 * changes, and starts a new composer process only when the plan's `key` differs.
 */
import {
  computeLayout,
  type Layout,
  type LayoutStream,
  MAX_COMPOSED_VIDEO_STREAMS,
  type Resolution,
  type Tile,
} from '../layouts.js';
import type { SourceStream } from '../media-source.js';
import { MAX_COMPOSED_AUDIO_STREAMS } from './filter-graph.js';

/** Which tracks of which streams a recording includes. */
export type StreamSelection =
  | { mode: 'auto' }
  | {
      mode: 'manual';
      /** The streams added with `PATCH …/streams`, and which of their tracks. */
      streams: ReadonlyMap<string, { hasAudio: boolean; hasVideo: boolean; addedAt: number }>;
    };

/** A composer plan. */
export interface ComposerPlan {
  /** The video tiles (at most 16), drawn in order. */
  tiles: Tile[];
  /** The streams whose audio is mixed (at most 50, the first published first). */
  audioStreamIds: string[];
  /** Changes whenever anything above changes. */
  key: string;
}

/** Options of {@link computePlan}. */
export interface PlanOptions {
  streams: readonly SourceStream[];
  selection: StreamSelection;
  layout: Layout;
  resolution: Resolution;
  hasAudio: boolean;
  hasVideo: boolean;
}

/** The plan for the current state; see the file comment. */
export function computePlan(options: PlanOptions): ComposerPlan {
  const { selection } = options;
  const included = (stream: SourceStream, kind: 'audio' | 'video'): boolean => {
    if (selection.mode === 'auto') return true;
    const entry = selection.streams.get(stream.streamId);
    return entry !== undefined && (kind === 'audio' ? entry.hasAudio : entry.hasVideo);
  };
  const addedAt = (stream: SourceStream): number =>
    selection.mode === 'manual'
      ? (selection.streams.get(stream.streamId)?.addedAt ?? stream.createdAt)
      : stream.createdAt;

  const videoStreams: LayoutStream[] = options.hasVideo
    ? options.streams
        .filter((s) => s.video && s.videoActive && included(s, 'video'))
        .map((s) => ({
          streamId: s.streamId,
          connectionId: s.connectionId,
          videoType: s.videoType,
          layoutClassList: s.layoutClassList,
          addedAt: addedAt(s),
        }))
    : [];
  const tiles = computeLayout(options.layout, videoStreams, options.resolution).slice(
    0,
    MAX_COMPOSED_VIDEO_STREAMS,
  );
  const audioStreamIds = options.hasAudio
    ? options.streams
        .filter((s) => s.audio && s.audioActive && included(s, 'audio'))
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, MAX_COMPOSED_AUDIO_STREAMS)
        .map((s) => s.streamId)
    : [];
  const key = JSON.stringify([
    tiles.map((t) => [t.streamId, t.x, t.y, t.width, t.height, t.zIndex]),
    audioStreamIds,
  ]);
  return { tiles, audioStreamIds, key };
}

/** Whether the plan receives nothing (the recording is paused: nobody publishes what it records). */
export function isEmptyPlan(plan: ComposerPlan): boolean {
  return plan.tiles.length === 0 && plan.audioStreamIds.length === 0;
}
