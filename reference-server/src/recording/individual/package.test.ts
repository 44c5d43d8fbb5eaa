import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, probeMedia } from '../probe.js';
import {
  type IndividualJournal,
  readIndividualJournal,
  recordedMs,
  writeIndividualJournal,
} from './journal.js';
import { type IndividualManifest, packageIndividualFromJournal } from './package.js';

const run = promisify(execFile);

/** A real two-second WebM (VP8 + Opus), standing in for a recorded stream. */
async function webm(path: string): Promise<void> {
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=15'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2'],
    ...[
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '100k',
      '-c:a',
      'libopus',
      '-f',
      'webm',
      path,
    ],
  ]);
}

describe('recordedMs', () => {
  it('counts the time covered by at least one file once', () => {
    const files = [
      { startedAt: 0, stoppedAt: 1000 },
      { startedAt: 500, stoppedAt: 1500 },
      { startedAt: 3000, stoppedAt: null },
    ];
    expect(recordedMs(files, 4000)).toBe(1500 + 1000);
    expect(recordedMs([], 4000)).toBe(0);
  });
});

describe('packageIndividualFromJournal', () => {
  let root: string;
  let work: string;
  const started = 1_700_000_000_000;
  const journal = (): IndividualJournal => ({
    archive: {
      id: 'b40ef09b-3811-4726-b508-e41a0f96c68f',
      name: 'Foo',
      sessionId: '2_MX4xfn4',
      createdAt: started - 200,
    },
    startedAt: started,
    files: [
      {
        streamId: 'stream-a',
        connectionId: 'conn-a',
        connectionData: '{"username":"Jack"}',
        videoType: 'camera',
        filename: 'stream-a.webm',
        hasAudio: true,
        hasVideo: true,
        startedAt: started,
        stoppedAt: started + 38_656,
      },
      {
        streamId: 'stream-b',
        connectionId: 'conn-b',
        connectionData: '',
        videoType: 'screen',
        filename: 'stream-b.webm',
        hasAudio: false,
        hasVideo: true,
        startedAt: started + 5000,
        // Never stopped: the server crashed while it recorded.
        stoppedAt: null,
      },
      {
        streamId: 'stream-c',
        connectionId: 'conn-c',
        connectionData: '',
        videoType: 'camera',
        filename: 'stream-c.webm',
        hasAudio: true,
        hasVideo: true,
        startedAt: started + 6000,
        stoppedAt: started + 7000,
      },
    ],
  });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-individual-'));
    work = join(root, 'work');
    await mkdir(work);
    await webm(join(work, 'stream-a.webm'));
    await webm(join(work, 'stream-b.webm'));
    // The last write of the crashed file: 20 s after the recording started.
    const crashAt = new Date(started + 20_000);
    await utimes(join(work, 'stream-b.webm'), crashAt, crashAt);
    // A file that got only its header before its stream went away holds no media.
    await writeFile(join(work, 'stream-c.webm'), Buffer.alloc(200));
    await writeIndividualJournal(work, journal());
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes the ZIP Vonage does: the media files as they are plus <archiveId>.json', async () => {
    expect(await readIndividualJournal(work)).toEqual(journal());
    const output = join(root, 'archive.zip');
    expect(await packageIndividualFromJournal(work, output)).toBe(true);
    const { stdout } = await run('unzip', ['-t', output]);
    expect(stdout).toContain('No errors detected');

    const extracted = join(root, 'extracted');
    await run('python3', ['-m', 'zipfile', '-e', output, extracted]);
    const manifest = JSON.parse(
      await readFile(join(extracted, 'b40ef09b-3811-4726-b508-e41a0f96c68f.json'), 'utf8'),
    ) as IndividualManifest;
    const sizeOf = async (name: string) => (await stat(join(work, name))).size;
    expect(manifest).toEqual({
      createdAt: started - 200,
      id: 'b40ef09b-3811-4726-b508-e41a0f96c68f',
      name: 'Foo',
      sessionId: '2_MX4xfn4',
      files: [
        {
          streamId: 'stream-a',
          connectionData: '{"username":"Jack"}',
          filename: 'stream-a.webm',
          size: await sizeOf('stream-a.webm'),
          startTimeOffset: 0,
          stopTimeOffset: 38_656,
          videoType: 'camera',
        },
        {
          streamId: 'stream-b',
          connectionData: '',
          filename: 'stream-b.webm',
          size: await sizeOf('stream-b.webm'),
          startTimeOffset: 5000,
          stopTimeOffset: 20_000,
          videoType: 'screen',
        },
      ],
    });
    for (const name of ['stream-a.webm', 'stream-b.webm']) {
      expect(await readFile(join(extracted, name))).toEqual(await readFile(join(work, name)));
      const probed = await probeMedia(join(extracted, name));
      expect(probed.formatName).toContain('webm');
      expect(probed.streams.map((s) => s.codecName).sort()).toEqual(['opus', 'vp8']);
      expect(await decodeFully(join(extracted, name))).toBeGreaterThan(25);
    }
  }, 120_000);

  it('writes nothing when no file holds media, or when there is no journal', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    expect(await packageIndividualFromJournal(empty, join(root, 'none.zip'))).toBe(false);
    const onlyHeader = join(root, 'header-only');
    await mkdir(onlyHeader);
    await writeFile(join(onlyHeader, 'stream-c.webm'), Buffer.alloc(200));
    await writeIndividualJournal(onlyHeader, { ...journal(), files: journal().files.slice(2) });
    expect(await packageIndividualFromJournal(onlyHeader, join(root, 'none.zip'))).toBe(false);
    await expect(stat(join(root, 'none.zip'))).rejects.toThrow();
  });
});
