/**
 * H.264 as Matroska stores it: RTP depacketizes to Annex B (start codes), Matroska wants each frame's
 * NAL units length-prefixed ("AVCC") and the parameter sets in the track's `CodecPrivate`
 * (an AVCDecoderConfigurationRecord); its `PixelWidth`/`PixelHeight` come from the SPS.
 */

/** NAL unit types used here. */
export const NAL = { IDR: 5, SPS: 7, PPS: 8, AUD: 9 } as const;

/** The NAL units of an Annex B buffer (without their start codes). */
export function splitAnnexB(data: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let start = -1;
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) {
        // A 4-byte start code leaves a zero at the end of the previous unit.
        let end = i;
        while (end > start && data[end - 1] === 0) end--;
        units.push(data.subarray(start, end));
      }
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0 && start < data.length) units.push(data.subarray(start));
  return units.filter((unit) => unit.length > 0);
}

/** The type of a NAL unit. */
export const nalType = (unit: Buffer): number => (unit[0] ?? 0) & 0x1f;

/** NAL units as one length-prefixed (4-byte big-endian) frame. */
export function toLengthPrefixed(units: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const unit of units) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(unit.length);
    parts.push(length, unit);
  }
  return Buffer.concat(parts);
}

/** The AVCDecoderConfigurationRecord for one SPS and one PPS (4-byte NAL lengths). */
export function avcDecoderConfiguration(sps: Buffer, pps: Buffer): Buffer {
  const head = Buffer.from([1, sps[1] ?? 0, sps[2] ?? 0, sps[3] ?? 0, 0xff, 0xe1]);
  const spsLength = Buffer.alloc(2);
  spsLength.writeUInt16BE(sps.length);
  const ppsLength = Buffer.alloc(2);
  ppsLength.writeUInt16BE(pps.length);
  return Buffer.concat([head, spsLength, sps, Buffer.from([1]), ppsLength, pps]);
}

/** Reads bits of an RBSP (emulation prevention bytes removed). */
class BitReader {
  #bit = 0;
  constructor(readonly bytes: Buffer) {}
  u(bits: number): number {
    let value = 0;
    for (let i = 0; i < bits; i++) {
      const byte = this.bytes[this.#bit >> 3];
      if (byte === undefined) throw new RangeError('SPS ended early');
      value = value * 2 + ((byte >> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return value;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      zeros++;
      if (zeros > 31) throw new RangeError('invalid Exp-Golomb code in SPS');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const value = this.ue();
    return value % 2 === 1 ? (value + 1) / 2 : -value / 2;
  }
}

function rbsp(unit: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < unit.length; i++) {
    const byte = unit[i] ?? 0;
    if (byte === 3 && i >= 2 && unit[i - 1] === 0 && unit[i - 2] === 0) continue;
    out.push(byte);
  }
  return Buffer.from(out);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** The picture size an SPS (NAL header included) declares, cropping applied. */
export function spsDimensions(sps: Buffer): { width: number; height: number } {
  const bits = new BitReader(rbsp(sps.subarray(1)));
  const profile = bits.u(8);
  bits.u(16); // constraint flags, level
  bits.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = bits.ue();
    if (chromaFormat === 3) bits.u(1);
    bits.ue(); // bit depth luma
    bits.ue(); // bit depth chroma
    bits.u(1);
    if (bits.u(1) === 1) {
      for (let i = 0; i < (chromaFormat === 3 ? 12 : 8); i++) {
        if (bits.u(1) === 0) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) next = (last + bits.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  bits.ue(); // log2_max_frame_num
  const pocType = bits.ue();
  if (pocType === 0) bits.ue();
  else if (pocType === 1) {
    bits.u(1);
    bits.se();
    bits.se();
    const cycle = bits.ue();
    for (let i = 0; i < cycle; i++) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.u(1);
  const widthMbs = bits.ue() + 1;
  const heightUnits = bits.ue() + 1;
  const frameMbsOnly = bits.u(1);
  if (frameMbsOnly === 0) bits.u(1);
  bits.u(1); // direct_8x8_inference
  let crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (bits.u(1) === 1) crop = { left: bits.ue(), right: bits.ue(), top: bits.ue(), bottom: bits.ue() };
  const subWidth = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
  const subHeight = chromaFormat === 1 ? 2 : 1;
  const cropX = chromaFormat === 0 ? 1 : subWidth;
  const cropY = (chromaFormat === 0 ? 1 : subHeight) * (2 - frameMbsOnly);
  return {
    width: widthMbs * 16 - (crop.left + crop.right) * cropX,
    height: (2 - frameMbsOnly) * heightUnits * 16 - (crop.top + crop.bottom) * cropY,
  };
}
