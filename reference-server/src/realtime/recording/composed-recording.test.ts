/**
 * The whole recording path on real media: a werift client publishes VP8 + Opus into a routed session on
 * the werift engine, and the existing {@link ComposedRecorder} records it through the live media source
 * into an H.264/AAC MP4 that ffprobe reads and ffmpeg decodes end to end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComposedRecorder } from '../../recording/compositor/composed-recorder.js';
import { joinSegments } from '../../recording/compositor/segment-journal.js';
import { decodeFully, probeMedia } from '../../recording/probe.js';
import { WeriftEngine } from '../../sfu/werift/engine.js';
import { LiveMediaSources } from './media-sources.js';
import { RoutedSessionHarness } from './testing/routed-session.js';

let root: string;
let engine: WeriftEngine;
let harness: RoutedSessionHarness;
let sources: LiveMediaSources;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-live-recording-'));
  engine = new WeriftEngine();
  harness = new RoutedSessionHarness(engine);
  sources = new LiveMediaSources(harness.registry);
});
afterAll(async () => {
  sources.close();
  await harness.close();
  engine.close();
  await rm(root, { recursive: true, force: true });
});

describe('recording a live routed session', () => {
  it('records a werift publisher through the media source into a playable H.264/AAC MP4', async () => {
    const alice = harness.connect('rec-session', 'alice');
    const { publisher } = await harness.publish('rec-session', alice, 'rec-stream');
    const source = sources.get('rec-session');
    if (!source) throw new Error('no media source');
    const directory = join(root, 'archive');
    const recorder = new ComposedRecorder({
      source,
      workDirectory: directory,
      resolution: '640x480',
      hasAudio: true,
      hasVideo: true,
      layout: { type: 'bestFit' },
      selection: { mode: 'auto' },
      encoding: { defaultMaxBitrate: 500_000 },
      output: { kind: 'archive' },
    });
    const failures: string[] = [];
    recorder.on('failed', (reason) => failures.push(reason));
    const plisBefore = publisher.pliCount;
    const started = Date.now();
    await recorder.start();
    await sleep(4000);
    const wall = (Date.now() - started) / 1000;
    await recorder.stop();
    expect(failures).toEqual([]);
    // The composer asked the real publisher for a keyframe to start decoding at once.
    expect(publisher.pliCount).toBeGreaterThan(plisBefore);

    const output = join(directory, 'archive.mp4');
    expect(await joinSegments(directory, output)).toBe(true);
    const probed = await probeMedia(output);
    expect(probed.streams.find((s) => s.codecType === 'video')).toMatchObject({
      codecName: 'h264',
      width: 640,
      height: 480,
    });
    expect(probed.streams.find((s) => s.codecType === 'audio')).toMatchObject({ codecName: 'aac' });
    expect(Math.abs(probed.duration - wall)).toBeLessThan(1);
    expect(await decodeFully(output)).toBeGreaterThan(40);
    harness.session('rec-session').removeConnection('alice', 'clientDisconnected');
  }, 60_000);
});
