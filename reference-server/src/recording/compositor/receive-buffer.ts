/**
 * How large a receive buffer ffmpeg asks the kernel for on each RTP socket (`-buffer_size` of the SDP
 * input). ffmpeg's own default is 384 KiB. Packets pile up in these buffers whenever ffmpeg's reader is
 * not scheduled — on a loaded machine, and above all while a new composer starts: the packets held
 * meanwhile (see RtpForwarder) arrive as one burst of seconds of media, more than 384 KiB per stream for
 * a 720p publisher. A packet that overflows is lost, and the tile stops until the next keyframe.
 *
 * The kernel caps the request at `net.core.rmem_max` (often 208 KiB), and ffmpeg then warns on every
 * socket, so the request is 4 MiB capped at that limit, and nothing (ffmpeg's default) when the limit
 * is not above ffmpeg's default anyway.
 */
import { readFile } from 'node:fs/promises';

/** The most asked for per socket. */
export const WANTED_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** ffmpeg 5.1's receive buffer request (`UDP_MAX_PKT_SIZE * 6`, udp.c). */
export const FFMPEG_DEFAULT_RECEIVE_BUFFER_BYTES = 393_216;

/**
 * The `-buffer_size` to pass, from the kernel's limit (`net.core.rmem_max`), or null to keep ffmpeg's
 * default (a lower or unknown limit, e.g. not on Linux).
 */
export function receiveBufferFor(kernelLimit: number | null): number | null {
  if (kernelLimit === null || !Number.isFinite(kernelLimit)) return null;
  if (kernelLimit <= FFMPEG_DEFAULT_RECEIVE_BUFFER_BYTES) return null;
  return Math.min(WANTED_RECEIVE_BUFFER_BYTES, Math.floor(kernelLimit));
}

let cached: Promise<number | null> | undefined;

/** {@link receiveBufferFor} this machine's `net.core.rmem_max`, read once. */
export function rtpReceiveBufferBytes(): Promise<number | null> {
  cached ??= readFile('/proc/sys/net/core/rmem_max', 'utf8').then(
    (text) => receiveBufferFor(Number.parseInt(text, 10)),
    () => null,
  );
  return cached;
}
