/**
 * The individual recorder on real RTP through a fake live session: the journal it keeps (files,
 * offsets, connection data), the restart of a file whose video came late, video-only files in manual
 * mode, and the ZIP it finalizes into.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeMedia } from '../probe.js';
import { FakeMediaSource } from '../testing/fake-media-source.js';
import { sleep } from '../testing/media-checks.js';
import { RtpTestSource, type RtpTestSourceOptions } from '../testing/rtp-test-source.js';
import { IndividualRecorder } from './individual-recorder.js';
import { readIndividualJournal } from './journal.js';

const run = promisify(execFile);

let directory: string;
let media: RtpTestSource[];
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-individual-recorder-'));
  media = [];
});
afterEach(async () => {
  await Promise.all(media.map((m) => m.close()));
  await rm(directory, { recursive: true, force: true });
});

async function rtp(options: RtpTestSourceOptions): Promise<RtpTestSource> {
  const source = new RtpTestSource(options);
  media.push(source);
  await source.start();
  return source;
}

describe('IndividualRecorder', () => {
  it('continues a stream whose video came late in a new file with both tracks', async () => {
    const source = new FakeMediaSource('session');
    source.addStream('cam', await rtp({ video: 'vp8' }), { connectionData: 'who=cam' });
    const recorder = new IndividualRecorder({
      source,
      workDirectory: directory,
      archiveId: 'archive-1',
      name: 'Late video',
      hasAudio: true,
      hasVideo: true,
      selection: { mode: 'auto' },
      createdAt: 1234,
      headerWaitMs: 300,
    });
    source.holdTrack('cam', 'video', true);
    await recorder.start();
    await sleep(1500);
    source.holdTrack('cam', 'video', false);
    await sleep(2000);
    await recorder.stop();
    const journal = await readIndividualJournal(directory);
    expect(journal?.archive).toEqual({
      id: 'archive-1',
      name: 'Late video',
      sessionId: 'session',
      createdAt: 1234,
    });
    expect(journal?.files.map((f) => [f.filename, f.hasAudio, f.hasVideo, f.connectionData])).toEqual(
      [
        ['cam.webm', true, false],
        ['cam-2.webm', true, true],
      ].map((row) => [...row, 'who=cam']),
    );
    expect(journal?.files.every((f) => f.stoppedAt !== null && f.stoppedAt >= f.startedAt)).toBe(true);
    expect((await probeMedia(join(directory, 'cam.webm'))).streams.map((s) => s.codecName)).toEqual(['opus']);
    expect((await probeMedia(join(directory, 'cam-2.webm'))).streams.map((s) => s.codecName)).toEqual([
      'vp8',
      'opus',
    ]);
    expect(recorder.recordedDurationMs).toBeGreaterThan(2500);

    const zip = join(directory, 'archive.zip');
    expect(await recorder.finalize(zip)).toBe(true);
    const { stdout } = await run('unzip', ['-Z1', zip]);
    expect(stdout.trim().split('\n').sort()).toEqual(['archive-1.json', 'cam-2.webm', 'cam.webm']);
  }, 30_000);

  it('records video only for a stream added with hasAudio false, and H.264 into Matroska', async () => {
    const source = new FakeMediaSource('session');
    source.addStream('h', await rtp({ video: 'h264' }));
    source.addStream('ignored', await rtp({ video: null }));
    const recorder = new IndividualRecorder({
      source,
      workDirectory: directory,
      archiveId: 'archive-2',
      name: '',
      hasAudio: true,
      hasVideo: true,
      selection: {
        mode: 'manual',
        streams: new Map([['h', { hasAudio: false, hasVideo: true, addedAt: 0 }]]),
      },
    });
    await recorder.start();
    await sleep(2500);
    await recorder.stop();
    const journal = await readIndividualJournal(directory);
    expect(journal?.archive.name).toBeNull();
    expect(journal?.files.map((f) => f.filename)).toEqual(['h.mkv']);
    const probed = await probeMedia(join(directory, 'h.mkv'));
    expect(probed.streams.map((s) => s.codecName)).toEqual(['h264']);
  }, 30_000);
});
