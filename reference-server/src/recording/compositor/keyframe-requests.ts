/**
 * When a composer asks its video publishers for keyframes. A VP8 or H.264 decoder starts only on a
 * keyframe, and ffmpeg's RTP depacketiser drops what follows a lost packet until the next one; browsers
 * send keyframes only when asked (PLI), and ffmpeg never asks. So the composer asks:
 *
 * - at once, and then every second until ffmpeg outputs its first frame: ffmpeg configures its filter
 *   graph only once every input has decoded a frame, so one publisher whose keyframe was lost (in the
 *   burst of packets held while ffmpeg started, on a loaded machine) holds the whole composition;
 * - whenever ffmpeg reports lost or broken RTP afterwards, at most once a second: without it a tile
 *   freezes until the publisher happens to send a keyframe (measured with 16 × 1280x720@30 VP8 on a
 *   loaded 2-core machine: `RTP: missed 98 packets`, then `Missed a picture, sequence broken`).
 *
 * Requests go to every video publisher of the composer: ffmpeg's messages do not say which stream lost
 * packets, and a keyframe costs a publisher one larger frame.
 */
import type { TypedEmitter } from '@parley/events';
import type { FfmpegProcessEvents } from './ffmpeg-process.js';

/** ffmpeg 5.1's RTP demuxer warnings that mean a decoder is missing data until the next keyframe. */
export const RTP_LOSS_WARNING = /RTP: missed \d+ packets|sequence broken|Keyframe missing|max delay reached/;

/** Options of {@link requestKeyframesWhileNeeded}. */
export interface KeyframeRequestOptions {
  /** Milliseconds between requests while there is no output, and the least between loss-driven ones. Default 1000. */
  intervalMs?: number;
}

/**
 * Calls `request` as the file comment describes until `process` exits or the returned function is
 * called. `firstOutput` resolves true when ffmpeg outputs its first frame (false: it never will).
 */
export function requestKeyframesWhileNeeded(
  process: Pick<TypedEmitter<FfmpegProcessEvents>, 'on' | 'off'>,
  firstOutput: Promise<boolean>,
  request: () => void,
  options: KeyframeRequestOptions = {},
): () => void {
  const intervalMs = options.intervalMs ?? 1000;
  let lastRequestAt = Date.now();
  let stopped = false;
  request();
  const timer = setInterval(() => {
    lastRequestAt = Date.now();
    request();
  }, intervalMs);
  timer.unref();
  const onLine = (line: string): void => {
    if (!RTP_LOSS_WARNING.test(line) || Date.now() - lastRequestAt < intervalMs) return;
    lastRequestAt = Date.now();
    request();
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    process.off('stderr', onLine);
    process.off('exit', stop);
  };
  process.on('stderr', onLine);
  process.on('exit', stop);
  void firstOutput.then((ok) => {
    clearInterval(timer);
    if (!ok) stop();
  });
  return stop;
}
