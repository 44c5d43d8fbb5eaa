import { describe, expect, it } from 'vitest';
import { avcDecoderConfiguration, splitAnnexB, spsDimensions, toLengthPrefixed } from './h264.js';

// SPSs written by libx264: baseline 320x240, and High 1920x1080 (coded as 1088 lines, cropped).
const SPS_320X240 = Buffer.from('6742c00cd90141fb0110000003001000000301e0f142a480', 'hex');
const SPS_1080P = Buffer.from('67640028acd940780227e5c044000003000400000300783c60c658', 'hex');

describe('H.264 helpers', () => {
  it('splits Annex B on 3- and 4-byte start codes and writes length prefixes', () => {
    const annexB = Buffer.from([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5]);
    const units = splitAnnexB(annexB);
    expect(units.map((u) => [...u])).toEqual([
      [0x67, 1, 2],
      [0x68, 3],
      [0x65, 4, 5],
    ]);
    expect([...toLengthPrefixed(units)]).toEqual([
      0, 0, 0, 3, 0x67, 1, 2, 0, 0, 0, 2, 0x68, 3, 0, 0, 0, 3, 0x65, 4, 5,
    ]);
  });

  it('reads the picture size from an SPS, cropping applied', () => {
    expect(spsDimensions(SPS_320X240)).toEqual({ width: 320, height: 240 });
    expect(spsDimensions(SPS_1080P)).toEqual({ width: 1920, height: 1080 });
  });

  it('builds the AVCDecoderConfigurationRecord from the SPS and PPS', () => {
    const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
    const record = avcDecoderConfiguration(SPS_320X240, pps);
    expect([...record.subarray(0, 6)]).toEqual([1, 0x42, 0xc0, 0x0c, 0xff, 0xe1]);
    expect(record.readUInt16BE(6)).toBe(SPS_320X240.length);
    expect(record.subarray(8 + SPS_320X240.length).equals(Buffer.from([1, 0, 4, ...pps]))).toBe(true);
  });
});
