/**
 * An ffmpeg wrapper for the recording benchmark that adds `-flush_packets 1` before the last argument
 * (the output). ffmpeg 5.1 otherwise keeps about 256 KB of a fragmented MP4 in its output buffer before
 * writing it (measured: a 640x480 archive's segment file stays at its 28-byte `ftyp` for over 10 s), so
 * the file on disk says nothing about how far the composer has got. With the flag every fragment is
 * written when it completes, and `readMp4Progress` (fragmented-mp4.ts) reads the composer's progress from the file.
 * The flag changes when bytes are written, not what is encoded: one `write` per packet more.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultFfmpegPath } from '../compositor/ffmpeg-process.js';

/** Quotes a string for bash (single quotes, with `'` closed, escaped and reopened). */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Writes the wrapper (a bash script) into `directory` and resolves with its path, to pass as a
 * recorder's `ffmpegPath`. `exec` keeps the PID, so the process a recorder supervises (and the CPU
 * measured for it) is ffmpeg itself.
 */
export async function writeFlushingFfmpeg(
  directory: string,
  ffmpegPath = defaultFfmpegPath(),
): Promise<string> {
  const path = join(directory, 'ffmpeg-flushing');
  const target = quote(ffmpegPath);
  await writeFile(
    path,
    [
      '#!/bin/bash',
      `if [ "$#" -eq 0 ]; then exec ${target}; fi`,
      `exec ${target} "\${@:1:$#-1}" -flush_packets 1 "\${@: -1}"`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return path;
}
