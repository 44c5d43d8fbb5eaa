import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMp4Progress } from './fragmented-mp4.js';

const run = promisify(execFile);
let directory: string;
let fragmented: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-fmp4-'));
  fragmented = join(directory, 'fragmented.mp4');
  // Like the composer's archives: H.264 + AAC, a keyframe (so a fragment) every second.
  await run(process.env.PARLEY_FFMPEG ?? 'ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=3'],
    ...['-f', 'lavfi', '-i', 'sine=sample_rate=48000:duration=3'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac'],
    ...['-movflags', '+frag_keyframe+empty_moov+default_base_moof', fragmented],
  ]);
}, 30_000);
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readMp4Progress', () => {
  it('reads the duration of every track of a complete fragmented MP4', async () => {
    const progress = await readMp4Progress(fragmented);
    expect(progress.tracks.map((t) => t.handler).sort()).toEqual(['soun', 'vide']);
    for (const track of progress.tracks) {
      expect(track.fragments).toBe(3);
      expect(track.endSeconds).toBeGreaterThan(2.9);
      expect(track.endSeconds).toBeLessThan(3.1);
    }
    expect(progress.durationSeconds).toBe(progress.tracks.find((t) => t.handler === 'vide')?.endSeconds);
  });

  it('counts only the fragments whose media is complete in a file still being written', async () => {
    const whole = await readFile(fragmented);
    const cut = join(directory, 'cut.mp4');
    // Cut inside the second fragment's media.
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.55)));
    const progress = await readMp4Progress(cut);
    const video = progress.tracks.find((t) => t.handler === 'vide');
    expect(video?.fragments).toBe(1);
    expect(progress.durationSeconds).toBeGreaterThan(0.9);
    expect(progress.durationSeconds).toBeLessThan(1.1);
  });

  it('reads 0 s from a file with only its header, or none yet, and rejects other read errors', async () => {
    const header = join(directory, 'header.mp4');
    const whole = await readFile(fragmented);
    await writeFile(header, whole.subarray(0, 40));
    expect((await readMp4Progress(header)).durationSeconds).toBe(0);
    expect(await readMp4Progress(join(directory, 'missing.mp4'))).toEqual({ durationSeconds: 0, tracks: [] });
    await expect(readMp4Progress(directory)).rejects.toThrow();
  });
});
