/**
 * The Matroska writer and its repair on synthetic frames: the EBML it writes reads back, ffprobe reads
 * the duration and the cues of a closed file, a stale cluster reaches the disk without a new frame, and
 * an abandoned file (a crash) is finished by the repair with the duration of its last complete cluster.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeMedia } from '../../probe.js';
import { encodeSize, ID, readElementHeader } from './ebml.js';
import { FRAME_ALLOWANCE_MS, repairMatroska } from './matroska-finish.js';
import { type MatroskaTrack, MatroskaWriter } from './matroska-writer.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-matroska-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const OPUS_HEAD = Buffer.from('4f707573486561640102380180bb00000000 00'.replace(/ /g, ''), 'hex');
const audio: MatroskaTrack = {
  number: 1,
  kind: 'audio',
  codecId: 'A_OPUS',
  codecPrivate: OPUS_HEAD,
  sampleRate: 48_000,
  channels: 2,
};
/** A silent 20 ms Opus frame (TOC byte of a CELT-only 20 ms stereo frame, no payload: silence). */
const SILENCE = Buffer.from([0xfc]);

function writeAudio(path: string, frames: number): MatroskaWriter {
  const writer = MatroskaWriter.create(path, { docType: 'webm', tracks: [audio], startedAt: Date.now() });
  for (let i = 0; i < frames; i++) writer.write(1, i * 20, true, SILENCE);
  return writer;
}

describe('EBML', () => {
  it('writes sizes in the fewest bytes and reads element headers back', () => {
    expect([...encodeSize(0)]).toEqual([0x80]);
    expect([...encodeSize(126)]).toEqual([0xfe]);
    expect([...encodeSize(127)]).toEqual([0x40, 0x7f]); // 0xff would mean "unknown"
    expect([...encodeSize(5, 8)]).toEqual([0x01, 0, 0, 0, 0, 0, 0, 5]);
    const header = readElementHeader(Buffer.from([0x1f, 0x43, 0xb6, 0x75, 0x40, 0x7f]), 0);
    expect(header).toEqual({ id: ID.Cluster, size: 127, headerLength: 6 });
    expect(
      readElementHeader(
        Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        0,
      ),
    ).toEqual({
      id: ID.Segment,
      size: null,
      headerLength: 12,
    });
    expect(readElementHeader(Buffer.from([0x1f, 0x43]), 0)).toBeNull();
  });
});

describe('MatroskaWriter', () => {
  it('finishes a file with its duration and cues, which ffprobe reads', async () => {
    const path = join(directory, 'audio.webm');
    const writer = writeAudio(path, 150); // 3 s
    expect(writer.close()).toEqual({ durationMs: 149 * 20 + FRAME_ALLOWANCE_MS });
    const probed = await probeMedia(path);
    expect(probed.formatName).toMatch(/webm/);
    expect(probed.streams).toMatchObject([{ codecType: 'audio', codecName: 'opus', channels: 2 }]);
    expect(probed.duration).toBeCloseTo(3, 1);
    const bytes = await readFile(path);
    expect(bytes.includes(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]))).toBe(true); // Cues
    expect(repairMatroska(path).outcome).toBe('finished');
  });

  it('writes a cluster that has been open for over a second even when no frame follows', async () => {
    const path = join(directory, 'stale.webm');
    const writer = writeAudio(path, 10);
    const headerOnly = (await stat(path)).size;
    writer.flushStale(Date.now());
    expect((await stat(path)).size).toBe(headerOnly);
    writer.flushStale(Date.now() + 1500);
    expect((await stat(path)).size).toBeGreaterThan(headerOnly);
    writer.abandon();
  });

  it('leaves an abandoned file for the repair, which keeps every complete cluster', async () => {
    const path = join(directory, 'crashed.webm');
    const writer = writeAudio(path, 120); // clusters of 1 s: two written, the third in memory
    writer.abandon();
    expect(repairMatroska(path)).toEqual({ outcome: 'repaired', durationMs: 99 * 20 + FRAME_ALLOWANCE_MS });
    expect((await probeMedia(path)).duration).toBeCloseTo(2, 1);
    expect(repairMatroska(join(directory, 'crashed.webm')).outcome).toBe('finished');
  });
});
