/**
 * The composer against real ffmpeg: real VP8/H.264/Opus RTP in, H.264/AAC out, checked with ffprobe and
 * a full decode.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, probeMedia } from '../probe.js';
import { FakeMediaSource } from '../testing/fake-media-source.js';
import { dominant, pixelAt, sleep, waitFor } from '../testing/media-checks.js';
import { RtpTestSource } from '../testing/rtp-test-source.js';
import { ComposedRecorder } from './composed-recorder.js';
import { joinSegments, readJournal } from './segment-journal.js';

let root: string;
const sources: RtpTestSource[] = [];
/** Every recorder of a test, killed after it so a failed test leaves no composer running. */
const recorders: ComposedRecorder[] = [];

async function media(options: ConstructorParameters<typeof RtpTestSource>[0]): Promise<RtpTestSource> {
  const source = new RtpTestSource(options);
  await source.start();
  sources.push(source);
  return source;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-composer-'));
});
afterEach(async () => {
  for (const recorder of recorders.splice(0)) recorder.kill();
  await Promise.all(sources.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const encoding = { defaultMaxBitrate: 1_000_000 };

describe('ComposedRecorder (archive output)', () => {
  it('composes VP8 and H.264 publishers into one H.264/AAC MP4 whose duration follows wall time', async () => {
    const session = new FakeMediaSource('s1');
    session.addStream('a', await media({ video: 'vp8', toneHz: 440 }));
    session.addStream('b', await media({ video: 'h264', toneHz: 880 }));
    const directory = join(root, 'basic');
    const recorder = new ComposedRecorder({
      source: session,
      workDirectory: directory,
      resolution: '640x480',
      hasAudio: true,
      hasVideo: true,
      layout: { type: 'bestFit' },
      selection: { mode: 'auto' },
      encoding,
      output: { kind: 'archive' },
    });
    recorders.push(recorder);
    const started = Date.now();
    await recorder.start();
    await sleep(3000);
    const wall = (Date.now() - started) / 1000;
    await recorder.stop();
    const output = join(directory, 'archive.mp4');
    expect(await joinSegments(directory, output)).toBe(true);

    const probed = await probeMedia(output);
    const video = probed.streams.find((s) => s.codecType === 'video');
    const audio = probed.streams.find((s) => s.codecType === 'audio');
    expect(video).toMatchObject({ codecName: 'h264', width: 640, height: 480 });
    expect(audio).toMatchObject({ codecName: 'aac', sampleRate: 48_000, channels: 2 });
    expect(Math.abs(probed.duration - wall)).toBeLessThan(1);
    expect(await decodeFully(output)).toBeGreaterThan(40);
    expect(session.keyFrameRequests).toEqual(expect.arrayContaining(['a', 'b']));
  }, 60_000);

  it('shows a layout change in the output and keeps one continuous file', async () => {
    const session = new FakeMediaSource('s2');
    session.addStream('red', await media({ video: 'vp8', pattern: 'color=c=red', audio: false }));
    session.addStream('blue', await media({ video: 'vp8', pattern: 'color=c=blue', audio: false }), {
      layoutClassList: ['full'],
    });
    const directory = join(root, 'layout');
    const recorder = new ComposedRecorder({
      source: session,
      workDirectory: directory,
      resolution: '640x480',
      hasAudio: true,
      hasVideo: true,
      layout: { type: 'bestFit' },
      selection: { mode: 'auto' },
      encoding,
      output: { kind: 'archive' },
    });
    recorders.push(recorder);
    await recorder.start();
    await sleep(2500);
    recorder.setLayout({ type: 'pip' });
    await waitFor(() => recorder.segments.length === 2, 5000, 'the second segment');
    await sleep(2500);
    await recorder.stop();
    const output = join(directory, 'archive.mp4');
    await joinSegments(directory, output);
    // The duration against wall time is checked above; here the test sources (ffmpeg at real-time pace
    // on a busy machine) may lag, so positions are taken from the file itself.
    const { duration } = await probeMedia(output);
    expect(duration).toBeGreaterThan(3);
    // Just before the cut between the two segments (or the end of the first, if it lagged behind).
    const [first, second] = await readJournal(directory);
    expect(second).toBeDefined();
    const cut = ((second?.startedAt ?? 0) - (first?.startedAt ?? 0)) / 1000;
    const firstSegment = await probeMedia(join(directory, 'segment-000.mp4'));
    const before = Math.max(0, Math.min(cut, firstSegment.duration) - 0.4);
    // bestFit: blue (it has a layout class, so it comes first) on the left half, red on the right.
    // pip: blue ("full") everywhere but the red corner.
    expect(dominant(await pixelAt(output, before, 100, 240))).toBe('blue');
    expect(dominant(await pixelAt(output, before, 500, 240))).toBe('red');
    expect(dominant(await pixelAt(output, duration - 0.5, 500, 240))).toBe('blue');
    expect(dominant(await pixelAt(output, duration - 0.5, 540, 90))).toBe('red');
    expect(await decodeFully(output)).toBeGreaterThan(60);
  }, 60_000);

  it('leaves a playable file when the composer is killed (kill -9) mid-recording', async () => {
    const session = new FakeMediaSource('s3');
    session.addStream('a', await media({ video: 'vp8' }));
    const directory = join(root, 'crash');
    const recorder = new ComposedRecorder({
      source: session,
      workDirectory: directory,
      resolution: '640x480',
      hasAudio: true,
      hasVideo: true,
      layout: { type: 'bestFit' },
      selection: { mode: 'auto' },
      encoding,
      output: { kind: 'archive' },
    });
    recorders.push(recorder);
    await recorder.start();
    const [running] = await readJournal(directory);
    const file = join(directory, running?.file ?? '');
    // Kill once a few fragments are on disk.
    await waitFor(async () => (await stat(file)).size > 50_000, 15_000, 'fragments on disk');
    recorder.kill();
    await sleep(200);
    const [segment] = await readJournal(directory);
    expect(segment?.stoppedAt).toBeNull();
    const partial = join(directory, segment?.file ?? '');
    expect((await stat(partial)).size).toBeGreaterThan(4096);
    const probedPartial = await probeMedia(partial);
    expect(probedPartial.streams.map((s) => s.codecName).sort()).toEqual(['aac', 'h264']);
    expect(await decodeFully(partial, { strict: false })).toBeGreaterThan(20);
    // Recovery joins what is on disk.
    const output = join(directory, 'archive.mp4');
    expect(await joinSegments(directory, output)).toBe(true);
    expect((await probeMedia(output)).duration).toBeGreaterThan(1);
  }, 60_000);

  it('pauses with nothing to record and resumes when a stream is published', async () => {
    const session = new FakeMediaSource('s4');
    const recorder = new ComposedRecorder({
      source: session,
      workDirectory: join(root, 'pause'),
      resolution: '640x480',
      hasAudio: true,
      hasVideo: true,
      layout: { type: 'bestFit' },
      selection: { mode: 'manual', streams: new Map() },
      encoding,
      output: { kind: 'archive' },
      debounceMs: 50,
    });
    recorders.push(recorder);
    await recorder.start();
    expect(recorder.paused).toBe(true);
    session.addStream('a', await media({ video: 'vp8' }));
    await sleep(300);
    expect(recorder.paused).toBe(true); // manual mode: not selected yet
    recorder.setSelection({
      mode: 'manual',
      streams: new Map([['a', { hasAudio: true, hasVideo: true, addedAt: 1 }]]),
    });
    await waitFor(() => !recorder.paused, 3000, 'resume');
    await recorder.stop();
  }, 60_000);
});
