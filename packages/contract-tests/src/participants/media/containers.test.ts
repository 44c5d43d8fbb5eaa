import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MediaFixtureError, readIvf, readOggOpus } from './containers.js';

const fixture = (name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));

describe('fixture containers', () => {
  it('reads the VP8 frames of the IVF fixture with their times (2 s at 15 fps)', () => {
    const frames = readIvf(fixture('testsrc-vp8.ivf'));
    expect(frames).toHaveLength(30);
    expect(frames[1]?.time).toBeCloseTo(1 / 15, 6);
    // A VP8 keyframe has bit 0 of its first byte clear; the fixture starts on one.
    expect((frames[0]?.data[0] ?? 1) & 1).toBe(0);
  });

  it('reads the Opus packets of the Ogg fixture, without the OpusHead and OpusTags headers', () => {
    const packets = readOggOpus(fixture('sine-opus.ogg'));
    expect(packets.length).toBeGreaterThanOrEqual(100);
    expect(packets.every((p) => !p.data.subarray(0, 8).toString('ascii').startsWith('Opus'))).toBe(true);
    expect(packets[50]?.time).toBeCloseTo(1, 6);
  });

  it('names the file and the problem for a file that is not the container', () => {
    expect(() => readIvf(Buffer.from('not an ivf file at all, but long enough'), 'x.ivf')).toThrow(
      new MediaFixtureError('x.ivf is not an IVF file (no DKIF signature)'),
    );
    expect(() => readOggOpus(Buffer.from('OggZ and the rest of a page header'), 'y.ogg')).toThrow(
      'y.ogg has a bad Ogg page at byte 0',
    );
    const truncated = Buffer.from(fixture('testsrc-vp8.ivf').subarray(0, 100));
    expect(() => readIvf(truncated, 'z.ivf')).toThrow('z.ivf is truncated in frame 0');
  });
});
