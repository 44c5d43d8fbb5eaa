import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMediaSource } from '../testing/fake-media-source.js';
import { RtpTestSource } from '../testing/rtp-test-source.js';
import { BenchArchive, outputSpeed } from './bench-archive.js';
import { writeFlushingFfmpeg } from './flushing-ffmpeg.js';

let root: string;
const media: RtpTestSource[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-bench-archive-'));
});
afterAll(async () => {
  for (const source of media.splice(0)) await source.close();
  await rm(root, { recursive: true, force: true });
});

describe('outputSpeed', () => {
  it('is output seconds gained per wall second', () => {
    expect(outputSpeed({ atMs: 1000, outputSeconds: 2 }, { atMs: 11_000, outputSeconds: 11 })).toBeCloseTo(
      0.9,
    );
    expect(() => outputSpeed({ atMs: 1000, outputSeconds: 0 }, { atMs: 1000, outputSeconds: 0 })).toThrow(
      /time order/,
    );
  });
});

describe('BenchArchive', () => {
  it('records two streams, reads its growing output, and probes the joined archive', async () => {
    const source = new FakeMediaSource('bench-session');
    for (const [index, pattern] of ['testsrc', 'smptebars'].entries()) {
      const rtp = new RtpTestSource({ size: '160x120', pattern, toneHz: 440 + index * 110 });
      media.push(rtp);
      await rtp.start();
      source.addStream(`stream-${index}`, rtp);
    }
    const archive = await BenchArchive.start({
      source,
      workDirectory: join(root, 'archive'),
      resolution: '640x480',
      // Without it, ffmpeg holds the first ~256 KB of the file in memory and the samples read nothing.
      ffmpegPath: await writeFlushingFfmpeg(root),
    });
    expect(archive.startedAt).toBeGreaterThan(0);
    const first = await archive.sample();
    // A fragment reaches the file once the next keyframe is encoded: poll (slowly on a busy machine).
    let second = await archive.sample();
    for (let i = 0; i < 100 && second.outputSeconds <= first.outputSeconds; i++) {
      await sleep(200);
      second = await archive.sample();
    }
    expect(second.outputSeconds).toBeGreaterThan(first.outputSeconds);
    expect(second.atMs).toBeGreaterThan(first.atMs);
    await expect(archive.finish()).rejects.toThrow(/stop\(\) first/);
    expect(await archive.stop()).toBeGreaterThan(0);
    const output = await archive.finish();
    expect(output).toMatchObject({ video: { codec: 'h264', width: 640, height: 480 }, audioCodec: 'aac' });
    expect(output.sizeBytes).toBeGreaterThan(10_000);
    expect(output.durationSeconds).toBeGreaterThan(1);
    // Not a timing check (a busy machine makes the composer fall behind): the file cannot hold more
    // than was recorded.
    expect(output.durationSeconds).toBeLessThan(output.recordedSeconds + 1);
    expect(output.segments).toBe(1);
    expect(archive.failures).toEqual([]);
  }, 120_000);

  it('rejects when the composer gets no decodable media', async () => {
    const source = new FakeMediaSource('silent-session');
    source.addStream('silent', null);
    await expect(
      BenchArchive.start({
        source,
        workDirectory: join(root, 'silent'),
        resolution: '640x480',
        startTimeoutMs: 1500,
      }),
    ).rejects.toThrow(/did not start recording/);
  }, 30_000);
});
