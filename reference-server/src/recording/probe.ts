/**
 * Reads media files with ffprobe (duration, streams) and checks that ffmpeg decodes them fully. The
 * managers use {@link probeMedia} to fill an archive's `duration`; tests use both to check outputs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One stream of a probed file. */
export interface ProbedStream {
  codecType: 'video' | 'audio' | string;
  codecName: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
}

/** What ffprobe reports about a file. */
export interface ProbedMedia {
  formatName: string;
  /** Seconds (0 when unknown). */
  duration: number;
  streams: ProbedStream[];
}

/** The ffprobe executable: `PARLEY_FFPROBE` or `ffprobe` on PATH. */
export function defaultFfprobePath(): string {
  return process.env.PARLEY_FFPROBE ?? 'ffprobe';
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    sample_rate?: string;
    channels?: number;
    duration?: string;
  }>;
}

/** Probes `path`. Rejects when ffprobe cannot read it. */
export async function probeMedia(path: string, ffprobePath = defaultFfprobePath()): Promise<ProbedMedia> {
  const { stdout } = await run(
    ffprobePath,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
    {
      maxBuffer: 8 * 1024 * 1024,
    },
  );
  const json = JSON.parse(stdout) as FfprobeJson;
  const streams = (json.streams ?? []).map((s) => ({
    codecType: s.codec_type ?? 'unknown',
    codecName: s.codec_name ?? 'unknown',
    ...(s.width !== undefined ? { width: s.width } : {}),
    ...(s.height !== undefined ? { height: s.height } : {}),
    ...(s.sample_rate !== undefined ? { sampleRate: Number(s.sample_rate) } : {}),
    ...(s.channels !== undefined ? { channels: s.channels } : {}),
  }));
  const durations = [json.format?.duration, ...(json.streams ?? []).map((s) => s.duration)]
    .map((d) => Number(d))
    .filter((d) => Number.isFinite(d));
  return {
    formatName: json.format?.format_name ?? 'unknown',
    duration: durations.length > 0 ? Math.max(...durations) : 0,
    streams,
  };
}

/**
 * Decodes every frame of `path` with ffmpeg and resolves with the number of decoded video frames.
 * `strict` (the default) rejects with ffmpeg's error output at the first frame that does not decode;
 * without it, a damaged tail (a file cut short by a crash) is tolerated and only the frames count.
 */
export async function decodeFully(
  path: string,
  options: { strict?: boolean; ffmpegPath?: string } = {},
): Promise<number> {
  const strict = options.strict ?? true;
  const { stderr } = await run(
    options.ffmpegPath ?? process.env.PARLEY_FFMPEG ?? 'ffmpeg',
    [
      '-v',
      'error',
      ...(strict ? ['-xerror'] : []),
      '-i',
      path,
      '-map',
      '0',
      '-f',
      'null',
      '-progress',
      'pipe:2',
      '-',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const frames = [...stderr.matchAll(/^frame=(\d+)$/gm)].map((m) => Number(m[1]));
  return frames.at(-1) ?? 0;
}
