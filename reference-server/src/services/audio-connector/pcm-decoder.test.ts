/**
 * The Opus codecs against each other through ffmpeg: a tone encoded by {@link PcmOpusEncoder}, wrapped in
 * RTP, comes out of {@link OpusPcmDecoder} at another rate with the same frequency.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import { OpusPcmDecoder, rtpPayload } from './pcm-decoder.js';
import { PcmOpusEncoder } from './pcm-encoder.js';
import { dominantTone, rms, sinePcm } from './testing/connector-fixture.js';

function rtp(
  payload: Buffer,
  sequence: number,
  timestamp: number,
  extra: Partial<{ csrc: number; extension: Buffer; padding: number }> = {},
): Buffer {
  const csrc = extra.csrc ?? 0;
  const header = Buffer.alloc(12 + csrc * 4);
  header[0] = 0x80 | csrc | (extra.extension ? 0x10 : 0) | (extra.padding ? 0x20 : 0);
  header[1] = 111;
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(42, 8);
  const padding = extra.padding
    ? Buffer.concat([Buffer.alloc(extra.padding - 1), Buffer.from([extra.padding])])
    : Buffer.alloc(0);
  return Buffer.concat([header, extra.extension ?? Buffer.alloc(0), payload, padding]);
}

describe('rtpPayload', () => {
  it('skips CSRCs and the header extension and strips padding', () => {
    const payload = Buffer.from([9, 8, 7]);
    expect(rtpPayload(rtp(payload, 1, 1))).toEqual(payload);
    const extension = Buffer.from([0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0]);
    expect(rtpPayload(rtp(payload, 1, 1, { csrc: 2, extension, padding: 4 }))).toEqual(payload);
  });

  it('returns null for what is not an RTP packet with a payload', () => {
    expect(rtpPayload(Buffer.alloc(8))).toBeNull();
    expect(rtpPayload(Buffer.from([0x40, ...Buffer.alloc(15)]))).toBeNull();
    expect(rtpPayload(rtp(Buffer.alloc(0), 1, 1))).toBeNull();
  });
});

describe('Opus ↔ PCM', () => {
  it('decodes what the encoder produced, at another rate, keeping the tone', async () => {
    const decoded: Int16Array[] = [];
    const decoder = new OpusPcmDecoder({ sampleRate: 8000, onPcm: (samples) => decoded.push(samples) });
    let sequence = 0;
    const encoder = new PcmOpusEncoder({
      sampleRate: 24_000,
      onPacket: (packet) => {
        decoder.pushRtp(rtp(packet, sequence, 0xfffff000 + sequence * 960)); // Crosses the 2^32 wrap.
        sequence++;
      },
    });
    encoder.write(sinePcm(1000, 24_000, 1.5));
    await waitFor(() => decoded.reduce((n, d) => n + d.length, 0) >= 8000, 10_000, '1 s of decoded audio');
    await encoder.close();
    await decoder.close();
    const all = Int16Array.from(decoded.flatMap((d) => [...d]));
    const second = all.subarray(all.length - 8000);
    expect(dominantTone(second, 8000, [300, 700, 1000, 1500, 2500])).toBe(1000);
    expect(rms(second)).toBeGreaterThan(3000);
  }, 20_000);

  it('reports a decoder that cannot run', async () => {
    const failures: string[] = [];
    const decoder = new OpusPcmDecoder({
      sampleRate: 16_000,
      onPcm: () => undefined,
      onFailure: (reason) => failures.push(reason),
      ffmpegPath: '/nonexistent/ffmpeg',
    });
    await waitFor(() => failures.length > 0, 5000, 'the failure');
    expect(failures[0]).toMatch(/ffmpeg could not be started/);
    await decoder.close();
  });
});
