/**
 * Stream files from real RTP (ffmpeg-encoded VP8, H.264 and Opus through a fake live session): the
 * files ffprobe reads with the codecs as received and a duration that follows wall time, decoded
 * fully by ffmpeg; a killed file (a crash) is repaired into a complete one.
 */
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFully, probeMedia } from '../probe.js';
import { FakeMediaSource } from '../testing/fake-media-source.js';
import { sleep } from '../testing/media-checks.js';
import { RtpTestSource, type RtpTestSourceOptions } from '../testing/rtp-test-source.js';
import { repairMatroska } from './matroska/matroska-finish.js';
import { StreamFile } from './stream-file.js';

let directory: string;
let media: RtpTestSource[];
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-stream-file-'));
  media = [];
});
afterEach(async () => {
  await Promise.all(media.map((m) => m.close()));
  await rm(directory, { recursive: true, force: true });
});

async function publish(options: RtpTestSourceOptions): Promise<FakeMediaSource> {
  const source = new FakeMediaSource('session');
  const rtp = new RtpTestSource(options);
  media.push(rtp);
  await rtp.start();
  source.addStream('s1', rtp);
  return source;
}

function record(source: FakeMediaSource, tracks = { audio: true, video: true }): StreamFile {
  const stream = source.streams()[0];
  if (!stream) throw new Error('no stream');
  return new StreamFile({ source, stream, tracks, directory, baseName: 'file' });
}

describe('StreamFile', () => {
  it('records VP8 + Opus as received into a WebM that plays for the recorded time', async () => {
    const source = await publish({ video: 'vp8' });
    const file = record(source);
    expect(file.filename).toBe('file.webm');
    await sleep(3000);
    file.stop();
    const wall = (Date.now() - file.startedAt) / 1000;
    expect(source.keyFrameRequests).toContain('s1');
    const path = join(directory, file.filename);
    const probed = await probeMedia(path);
    expect(probed.formatName).toMatch(/webm/);
    expect(probed.streams.map((s) => [s.codecType, s.codecName])).toEqual([
      ['video', 'vp8'],
      ['audio', 'opus'],
    ]);
    expect(probed.streams[0]).toMatchObject({ width: 320, height: 240 });
    expect(Math.abs(probed.duration - wall)).toBeLessThan(1);
    expect(await decodeFully(path)).toBeGreaterThan(5);
  }, 30_000);

  it('records H.264 into Matroska (.mkv), and audio only when video is not wanted', async () => {
    const source = await publish({ video: 'h264' });
    const file = record(source);
    const audioOnly = record(source, { audio: true, video: false });
    audioOnly.stop(); // nothing received yet: an empty file is still a valid one
    const audio = new StreamFile({
      source,
      stream: source.streams()[0] as NonNullable<ReturnType<typeof source.streams>[0]>,
      tracks: { audio: true, video: false },
      directory,
      baseName: 'audio',
    });
    expect(file.filename).toBe('file.mkv');
    expect(audio.filename).toBe('audio.webm');
    await sleep(2500);
    file.stop();
    audio.stop();
    const probed = await probeMedia(join(directory, 'file.mkv'));
    expect(probed.formatName).toMatch(/matroska/);
    expect(probed.streams.map((s) => s.codecName)).toEqual(['h264', 'opus']);
    expect(probed.streams[0]).toMatchObject({ width: 320, height: 240 });
    expect(await decodeFully(join(directory, 'file.mkv'))).toBeGreaterThan(5);
    const audioProbe = await probeMedia(join(directory, 'audio.webm'));
    expect(audioProbe.streams.map((s) => s.codecName)).toEqual(['opus']);
    expect(audioProbe.duration).toBeGreaterThan(1.5);
  }, 30_000);

  it('writes the file without video when no keyframe comes in time, and reports the late video', async () => {
    const source = await publish({ video: 'vp8' });
    let late = 0;
    const file = new StreamFile({
      source,
      stream: source.streams()[0] as NonNullable<ReturnType<typeof source.streams>[0]>,
      tracks: { audio: true, video: true },
      directory,
      baseName: 'late',
      headerWaitMs: 1,
      onLateVideo: () => late++,
    });
    await sleep(2500);
    file.stop();
    expect(late).toBe(1);
    expect(file.hasVideo).toBe(false);
    const probed = await probeMedia(join(directory, 'late.webm'));
    expect(probed.streams.map((s) => s.codecName)).toEqual(['opus']);
  }, 30_000);

  it('leaves a killed file playable, and repairs it into a finished one', async () => {
    const source = await publish({ video: 'vp8' });
    const file = record(source);
    await sleep(3000);
    file.kill();
    const path = join(directory, file.filename);
    // Playable as the crash left it (no duration, no index yet).
    const framesBefore = await decodeFully(path);
    expect(framesBefore).toBeGreaterThan(5);
    // A crash in the middle of writing a cluster leaves it cut short: the repair drops it.
    await truncate(path, (await stat(path)).size - 50);
    const sizeBefore = (await stat(path)).size;
    const repaired = repairMatroska(path);
    expect(repaired.outcome).toBe('repaired');
    // The source sends 15 frames a second; the repaired file keeps all but the cut cluster (≤ 1 s). On a
    // loaded machine the source starts late, so the bound follows what was recorded, not the sleep.
    expect(repaired.durationMs).toBeGreaterThan(((framesBefore - 15) * 1000) / 15 - 100);
    expect((await stat(path)).size).toBeLessThan(sizeBefore + 1000);
    const probed = await probeMedia(path);
    expect(Math.abs(probed.duration * 1000 - repaired.durationMs)).toBeLessThan(100);
    // Only the cut cluster is lost (at most a second: 15 frames).
    expect(await decodeFully(path)).toBeGreaterThanOrEqual(framesBefore - 15);
    expect(repairMatroska(path).outcome).toBe('finished');
  }, 30_000);
});
