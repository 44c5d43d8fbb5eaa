/**
 * The composer's lifecycle against real ffmpeg: no process outlives `kill()` or `stop()` whatever state
 * it is in (starting, running, switching segments), and the joined file follows wall time when a stop
 * or a layout change meets a slow composer start (simulated with an ffmpeg that starts 3 s late, as on a
 * loaded machine).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, probeMedia } from '../probe.js';
import { FakeMediaSource } from '../testing/fake-media-source.js';
import { sleep, waitFor } from '../testing/media-checks.js';
import { RtpTestSource } from '../testing/rtp-test-source.js';
import { ComposedRecorder, type ComposedRecorderOptions } from './composed-recorder.js';
import { processesMentioning } from './process-census.js';
import { joinSegments, readJournal } from './segment-journal.js';

let root: string;
/** An ffmpeg that starts 3 s late, as a composer does on a machine with every core busy. */
let slowFfmpeg: string;
const sources: RtpTestSource[] = [];
const recorders: ComposedRecorder[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-composer-life-'));
  slowFfmpeg = join(root, 'slow-ffmpeg');
  await writeFile(slowFfmpeg, `#!/bin/sh\nsleep 3\nexec "${process.env.PARLEY_FFMPEG ?? 'ffmpeg'}" "$@"\n`);
  await chmod(slowFfmpeg, 0o755);
});
afterEach(async () => {
  for (const recorder of recorders.splice(0)) recorder.kill();
  await Promise.all(sources.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function media(options: ConstructorParameters<typeof RtpTestSource>[0]): Promise<RtpTestSource> {
  const source = new RtpTestSource(options);
  await source.start();
  sources.push(source);
  return source;
}

function recorder(session: FakeMediaSource, name: string, options: Partial<ComposedRecorderOptions> = {}) {
  const created = new ComposedRecorder({
    source: session,
    workDirectory: join(root, name),
    resolution: '640x480',
    hasAudio: true,
    hasVideo: true,
    layout: { type: 'bestFit' },
    selection: { mode: 'auto' },
    encoding: { defaultMaxBitrate: 1_000_000 },
    output: { kind: 'archive' },
    ...options,
  });
  recorders.push(created);
  return created;
}

/** Resolves once no process mentions `directory` any more (fails the test after 3 s). */
const noComposerIn = (directory: string): Promise<unknown> =>
  waitFor(async () => (await processesMentioning(directory)).length === 0, 3000, `no ffmpeg in ${directory}`);

describe('ComposedRecorder: no composer outlives kill() or stop()', () => {
  it('kills a composer that has not output anything yet', async () => {
    const session = new FakeMediaSource('k1');
    session.addStream('silent', null); // announced, never sends: the composer waits for its first frame
    const rec = recorder(session, 'kill-starting');
    const directory = join(root, 'kill-starting');
    const starting = rec.start();
    await waitFor(async () => (await processesMentioning(directory)).length > 0, 10_000, 'the composer');
    rec.kill();
    await noComposerIn(directory);
    await starting;
    expect(await processesMentioning(directory)).toEqual([]);
  }, 30_000);

  it('kills a composer whose process is spawned after kill() (kill while it is being set up)', async () => {
    const session = new FakeMediaSource('k2');
    session.addStream('a', await media({ video: 'vp8' }));
    const rec = recorder(session, 'kill-setup', { ffmpegPath: slowFfmpeg });
    const directory = join(root, 'kill-setup');
    const starting = rec.start();
    rec.kill(); // the ports are still being reserved: no process exists yet
    await starting;
    await sleep(500);
    await noComposerIn(directory);
  }, 30_000);

  it('kills both composers while a segment switch is under way', async () => {
    const session = new FakeMediaSource('k3');
    session.addStream('a', await media({ video: 'vp8' }));
    const rec = recorder(session, 'kill-switch', { debounceMs: 50 });
    const directory = join(root, 'kill-switch');
    await rec.start();
    session.addStream('silent', null); // its audio never arrives: the new composer never starts
    // 0.5 s on a quiet machine; in the full suite beside the Chromium and composer tests it took over 10 s
    // twice, so the wait is generous (what is tested is the kill, not the start).
    await waitFor(async () => (await processesMentioning(directory)).length >= 2, 30_000, 'two composers');
    rec.kill();
    await noComposerIn(directory);
  }, 45_000);

  it('drops a new segment that cannot start and ends the file at the stop call', async () => {
    const session = new FakeMediaSource('k4');
    session.addStream('a', await media({ video: 'vp8' }));
    const rec = recorder(session, 'stop-switch', { debounceMs: 50 });
    const directory = join(root, 'stop-switch');
    const started = Date.now();
    await rec.start();
    await sleep(2000);
    session.addStream('silent', null);
    await waitFor(() => rec.segments.length === 2, 5000, 'the second segment');
    await sleep(500);
    // The stop time is the moment stop() is called (between these two readings of the clock).
    const stopAt = Date.now();
    const stopping = rec.stop();
    const calledBy = Date.now();
    await stopping;
    const wall = (stopAt - started) / 1000;
    // No ffmpeg is left once stop() resolves; the segment that never started is gone from the journal.
    expect(await processesMentioning(directory)).toEqual([]);
    const journal = await readJournal(directory);
    expect(journal.map((s) => s.file)).toEqual(['segment-000.mp4']);
    expect(journal[0]?.stoppedAt).toBeGreaterThanOrEqual(stopAt);
    expect(journal[0]?.stoppedAt).toBeLessThanOrEqual(calledBy);
    const output = join(directory, 'archive.mp4');
    expect(await joinSegments(directory, output)).toBe(true);
    expect(Math.abs((await probeMedia(output)).duration - wall)).toBeLessThan(1);
  }, 60_000);
});

describe('ComposedRecorder: wall time with a slow composer start', () => {
  it('ends the file at the stop call when a layout change is still starting', async () => {
    const session = new FakeMediaSource('w1');
    session.addStream('red', await media({ video: 'vp8', pattern: 'color=c=red' }));
    session.addStream('blue', await media({ video: 'vp8', pattern: 'color=c=blue', audio: false }));
    const rec = recorder(session, 'slow-layout', { ffmpegPath: slowFfmpeg, debounceMs: 50 });
    const directory = join(root, 'slow-layout');
    const started = Date.now();
    await rec.start();
    await sleep(1000);
    rec.setLayout({ type: 'pip' });
    await sleep(1000); // the new composer needs 3 s more
    // The stop time is the moment stop() is called (between these two readings of the clock).
    const stopAt = Date.now();
    const stopping = rec.stop();
    const calledBy = Date.now();
    await stopping;
    const wall = (stopAt - started) / 1000;
    expect(await processesMentioning(directory)).toEqual([]);
    // The new segment is kept (the layout change is in the file) and cut where the stop was asked.
    expect((await readJournal(directory)).map((s) => s.stoppedAt !== null)).toEqual([true, true]);
    const lastStop = (await readJournal(directory)).at(-1)?.stoppedAt ?? 0;
    expect(lastStop).toBeGreaterThanOrEqual(stopAt);
    expect(lastStop).toBeLessThanOrEqual(calledBy);
    const output = join(directory, 'archive.mp4');
    expect(await joinSegments(directory, output)).toBe(true);
    const probed = await probeMedia(output);
    expect(Math.abs(probed.duration - wall)).toBeLessThan(1);
    expect(await decodeFully(output)).toBeGreaterThan(25);
  }, 60_000);

  it('follows wall time across a layout change when both composers start late', async () => {
    const session = new FakeMediaSource('w2');
    session.addStream('red', await media({ video: 'vp8', pattern: 'color=c=red' }));
    session.addStream('blue', await media({ video: 'h264', pattern: 'color=c=blue', audio: false }));
    const rec = recorder(session, 'slow-switch', { ffmpegPath: slowFfmpeg, debounceMs: 50 });
    const directory = join(root, 'slow-switch');
    const started = Date.now();
    await rec.start();
    await sleep(1000);
    rec.setLayout({ type: 'pip' });
    await waitFor(
      async () => (await readJournal(directory)).some((s) => s.stoppedAt !== null),
      20_000,
      'the switch',
    );
    await sleep(1500);
    const stopAt = Date.now();
    await rec.stop();
    const wall = (stopAt - started) / 1000;
    const output = join(directory, 'archive.mp4');
    expect(await joinSegments(directory, output)).toBe(true);
    expect((await readJournal(directory)).length).toBe(2);
    expect(Math.abs((await probeMedia(output)).duration - wall)).toBeLessThan(1);
  }, 60_000);
});
