/**
 * The ffmpeg command line of a composer process: the SDP input, the filter graph, the H.264 + AAC
 * encoding (`maxBitrate` → capped VBR, `quantizationParameter` → constant QP) and the outputs:
 *
 * - `mp4`: fragmented MP4 (`+frag_keyframe+empty_moov+default_base_moof`), so a process killed mid-way
 *   leaves a file that plays up to its last fragment;
 * - `hls`: MPEG-TS segments and a playlist (`dvr` keeps every segment in an EVENT playlist,
 *   `lowLatency` uses 1-second segments and a 3-segment window); the playlist never gets
 *   `#EXT-X-ENDLIST` from ffmpeg (`omit_endlist`), because a layout change continues it in the next
 *   process (`append_list`): the broadcast manager ends it once the broadcast stops;
 * - `rtmp`: FLV pushed to each target; a target that fails does not stop the others (`tee`
 *   `onfail=ignore`).
 */
import type { FilterGraph } from './filter-graph.js';

/** How the video is encoded. */
export interface VideoEncoding {
  /** Frames per second. Default 25. */
  frameRate?: number;
  /** Cap the video bitrate (bps): VBR with `-maxrate`/`-bufsize`. Exclusive with `quantizationParameter`. */
  maxBitrate?: number;
  /** Constant quantizer 15–40. Exclusive with `maxBitrate`. */
  quantizationParameter?: number;
  /** The cap when neither is set (bps). */
  defaultMaxBitrate: number;
  /** Seconds between keyframes (MP4 fragments and HLS segments start on them). Default 1. */
  keyframeInterval?: number;
}

/** An HLS output. */
export interface HlsOutput {
  kind: 'hls';
  /** The directory of `index.m3u8` and the segments. */
  directory: string;
  dvr: boolean;
  lowLatency: boolean;
}

/** An RTMP target. */
export interface RtmpOutput {
  kind: 'rtmp';
  /** `rtmp://host/app/streamName` (server URL + `/` + stream name). */
  url: string;
}

/** A fragmented MP4 file. */
export interface Mp4Output {
  kind: 'mp4';
  path: string;
}

/** One output of a composer process. */
export type ComposerOutput = Mp4Output | HlsOutput | RtmpOutput;

/** The HLS segment length in seconds. */
export function hlsSegmentSeconds(output: Pick<HlsOutput, 'lowLatency'>): number {
  return output.lowLatency ? 1 : 2;
}

function hlsOptions(output: HlsOutput): Record<string, string> {
  const flags = ['independent_segments', 'append_list', 'omit_endlist', 'discont_start'];
  const options: Record<string, string> = {
    hls_time: String(hlsSegmentSeconds(output)),
    hls_segment_type: 'mpegts',
    hls_segment_filename: `${output.directory}/segment-%05d.ts`,
  };
  if (output.dvr) {
    options.hls_list_size = '0';
    options.hls_playlist_type = 'event';
  } else {
    options.hls_list_size = output.lowLatency ? '3' : '6';
    // Segments that left the window are deleted, so a long broadcast does not fill the disk.
    flags.push('delete_segments');
  }
  options.hls_flags = flags.join('+');
  return options;
}

/** The muxer name, options and target of one output. */
function muxer(output: ComposerOutput): { format: string; options: Record<string, string>; target: string } {
  switch (output.kind) {
    case 'mp4':
      return {
        format: 'mp4',
        // Each fragment is written out as it is finished: without `flush_packets`, ffmpeg buffers about
        // 256 KB in its I/O layer, which a crash would lose (seconds of video at archive bitrates).
        options: { movflags: '+frag_keyframe+empty_moov+default_base_moof', flush_packets: '1' },
        target: output.path,
      };
    case 'hls':
      return { format: 'hls', options: hlsOptions(output), target: `${output.directory}/index.m3u8` };
    case 'rtmp':
      return { format: 'flv', options: { flvflags: 'no_duration_filesize' }, target: output.url };
  }
}

/** Escapes a `tee` slave option value or target (`:`, `|`, `[`, `]` and `\` are special there). */
const teeEscape = (value: string): string => value.replace(/[\\:|[\]]/g, (c) => `\\${c}`);

/** Escapes a `tee` slave target (see {@link outputArgs}). */
export const teeTargetEscape = (target: string): string => target.replace(/[\\'|]/g, (c) => `\\${c}`);

function outputArgs(outputs: readonly ComposerOutput[]): string[] {
  if (outputs.length === 0) throw new RangeError('outputs must not be empty');
  const [only] = outputs;
  if (outputs.length === 1 && only) {
    const { format, options, target } = muxer(only);
    return ['-f', format, ...Object.entries(options).flatMap(([k, v]) => [`-${k}`, v]), target];
  }
  const slaves = outputs.map((output) => {
    const { format, options, target } = muxer(output);
    const opts = [
      `f=${format}`,
      'onfail=ignore',
      ...Object.entries(options).map(([k, v]) => `${k}=${teeEscape(v)}`),
    ];
    // The target is not option-parsed, but the slave list is tokenised (`av_get_token`): `|` separates
    // slaves, and `\` and `'` are escape and quote characters, so all three are escaped (an RTMP stream
    // key may contain any of them).
    return `[${opts.join(':')}]${teeTargetEscape(target)}`;
  });
  return ['-f', 'tee', slaves.join('|')];
}

function videoArgs(encoding: VideoEncoding, outputs: readonly ComposerOutput[]): string[] {
  const frameRate = encoding.frameRate ?? 25;
  const hls = outputs.find((o): o is HlsOutput => o.kind === 'hls');
  // Archives: a keyframe (and so an MP4 fragment) every second, so a crash loses at most a second.
  const keyframeInterval = hls ? hlsSegmentSeconds(hls) : (encoding.keyframeInterval ?? 1);
  const args = [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(frameRate),
    '-g',
    String(Math.round(frameRate * keyframeInterval)),
    '-force_key_frames',
    `expr:gte(t,n_forced*${keyframeInterval})`,
  ];
  if (encoding.maxBitrate !== undefined && encoding.quantizationParameter !== undefined) {
    throw new RangeError('maxBitrate and quantizationParameter are mutually exclusive');
  }
  if (encoding.quantizationParameter !== undefined) {
    args.push('-qp', String(encoding.quantizationParameter));
  } else {
    const cap = encoding.maxBitrate ?? encoding.defaultMaxBitrate;
    args.push('-crf', '23', '-maxrate', String(cap), '-bufsize', String(cap * 2));
  }
  return args;
}

/** Options of {@link composerArgs}. */
export interface ComposerArgsOptions {
  /**
   * The SDP file of the RTP input. There is always at least one received track: a recording with no
   * published track is paused (no process runs), because only live input paces the composer.
   */
  sdpPath: string;
  graph: FilterGraph;
  encoding: VideoEncoding;
  outputs: readonly ComposerOutput[];
  /** The receive buffer of each RTP socket in bytes (`-buffer_size`); ffmpeg's default when omitted. */
  receiveBufferBytes?: number;
}

/** The full argument list of a composer process (without the `ffmpeg` executable). */
export function composerArgs(options: ComposerArgsOptions): string[] {
  const { graph } = options;
  // No `-nostdin`: a graceful stop is `q` on stdin.
  const args = ['-hide_banner', '-y', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1'];
  args.push(
    '-protocol_whitelist',
    'file,udp,rtp',
    // A frame size change is absorbed by the tile's scaler instead of a graph rebuild (see filter-graph.ts).
    '-reinit_filter',
    '0',
    // The SDP already names every codec; probing would only wait for keyframes (up to the whole
    // analyze duration per stream) before anything is decoded.
    '-analyzeduration',
    '0',
    '-probesize',
    '32',
    '-fpsprobesize',
    '0',
    '-reorder_queue_size',
    '500',
    '-thread_queue_size',
    '4096',
  );
  // See receive-buffer.ts: bursts of held packets must not overflow the sockets.
  if (options.receiveBufferBytes !== undefined) {
    if (!Number.isInteger(options.receiveBufferBytes) || options.receiveBufferBytes <= 0) {
      throw new RangeError(
        `receiveBufferBytes must be a positive integer, got ${options.receiveBufferBytes}`,
      );
    }
    args.push('-buffer_size', String(options.receiveBufferBytes));
  }
  args.push('-i', options.sdpPath);
  args.push('-filter_complex', graph.graph);
  if (graph.videoOut) args.push('-map', graph.videoOut, ...videoArgs(options.encoding, options.outputs));
  if (graph.audioOut)
    args.push('-map', graph.audioOut, '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2');
  args.push('-max_muxing_queue_size', '4096', ...outputArgs(options.outputs));
  return args;
}
