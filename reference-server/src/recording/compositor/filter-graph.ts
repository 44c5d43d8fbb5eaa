/**
 * Builds ffmpeg's `-filter_complex` for a composed output: each video input scaled to fit its tile
 * (letterboxed, `object-fit: contain`) and overlaid on a background in z-order, and up to 50 audio inputs
 * mixed with `amix`.
 *
 * Why `overlay` onto a `color` source rather than `xstack`: tiles may overlap (`pip`) and leave gaps
 * (a partly filled `bestFit` grid), and the background keeps the frame rate and size constant whatever
 * the inputs do. Inputs are configured with `-reinit_filter 0`, so a publisher changing resolution
 * (simulcast layer switches, CPU adaptation) is absorbed by the tile's `scale` instead of rebuilding the
 * graph, which would restart the background's timestamps.
 */
import type { Tile } from '../layouts.js';

/** The most audio streams mixed into a composed output (Vonage's limit). */
export const MAX_COMPOSED_AUDIO_STREAMS = 50;

/** A video input and where it goes. */
export interface VideoTileInput {
  /** The ffmpeg stream specifier, e.g. `0:2`. */
  input: string;
  tile: Tile;
}

/** Options of {@link buildFilterGraph}. */
export interface FilterGraphOptions {
  width: number;
  height: number;
  /** Output frames per second. */
  frameRate: number;
  /** The background colour (an ffmpeg colour). Default `black`. */
  background?: string;
  /** Whether the output has a video track (a background even with no tiles). */
  hasVideo: boolean;
  /** Whether the output has an audio track (silence when `audio` is empty). */
  hasAudio: boolean;
  /** The video inputs and their tiles. Ignored when `hasVideo` is false. */
  video: readonly VideoTileInput[];
  /** The ffmpeg stream specifiers of the audio inputs to mix. Ignored when `hasAudio` is false. */
  audio: readonly string[];
}

/** A filter graph and the labels of its outputs. */
export interface FilterGraph {
  graph: string;
  /** The label to `-map` for video, e.g. `[vout]`; null without video. */
  videoOut: string | null;
  /** The label to `-map` for audio; null without audio. */
  audioOut: string | null;
}

const AUDIO_FORMAT = 'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo';

/** The filter graph for a composed output; see the file comment. */
export function buildFilterGraph(options: FilterGraphOptions): FilterGraph {
  const { width, height, frameRate } = options;
  if (!options.hasVideo && !options.hasAudio)
    throw new RangeError('hasVideo and hasAudio cannot both be false');
  if (options.audio.length > MAX_COMPOSED_AUDIO_STREAMS) {
    throw new RangeError(
      `audio must have at most ${MAX_COMPOSED_AUDIO_STREAMS} inputs, got ${options.audio.length}`,
    );
  }
  const chains: string[] = [];
  let videoOut: string | null = null;
  let audioOut: string | null = null;

  if (options.hasVideo) {
    const background = options.background ?? 'black';
    chains.push(`color=c=${background}:s=${width}x${height}:r=${frameRate}[bg]`);
    const ordered = [...options.video].sort((a, b) => a.tile.zIndex - b.tile.zIndex);
    let base = '[bg]';
    ordered.forEach(({ input, tile }, i) => {
      const { width: w, height: h } = tile;
      // Bilinear, not swscale's default bicubic: a tile is usually far smaller than its source, where
      // the two look alike, and scaling is a large share of a big composition's CPU (16 × 1280x720@30
      // into 640x480: 13 % less composer CPU, measured with ffmpeg 5.1).
      chains.push(
        `[${input}]scale=${w}:${h}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=bilinear,` +
          `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=${background},setsar=1[t${i}]`,
      );
      const next = `[v${i}]`;
      chains.push(`${base}[t${i}]overlay=x=${tile.x}:y=${tile.y}:eof_action=pass:repeatlast=1${next}`);
      base = next;
    });
    chains.push(`${base}format=yuv420p[vout]`);
    videoOut = '[vout]';
  }

  if (options.hasAudio) {
    if (options.audio.length === 0) {
      chains.push(`anullsrc=r=48000:cl=stereo,${AUDIO_FORMAT}[aout]`);
    } else {
      // Each input is resampled on its own first: `async` fills the gaps of discontinuous transmission
      // (Opus DTX sends nothing during silence) with silence, so one quiet publisher never holds the mix.
      options.audio.forEach((input, i) => {
        chains.push(`[${input}]aresample=async=1000,${AUDIO_FORMAT}[a${i}]`);
      });
      if (options.audio.length === 1) {
        chains.push('[a0]anull[aout]');
      } else {
        const inputs = options.audio.map((_, i) => `[a${i}]`).join('');
        chains.push(`${inputs}amix=inputs=${options.audio.length}:normalize=0:dropout_transition=0[aout]`);
      }
    }
    audioOut = '[aout]';
  }
  return { graph: chains.join(';'), videoOut, audioOut };
}
