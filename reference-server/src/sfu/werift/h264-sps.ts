/**
 * The frame size of an H.264 stream, read from its sequence parameter set (SPS, ITU-T H.264 §7.3.2.1.1)
 * as it travels in an RTP payload (RFC 6184). The SFU ranks simulcast layers by this size, as it does
 * with the size VP8 keyframes announce.
 *
 * Parsing stops at the frame cropping fields (the VUI after them is not needed). The bit reader removes
 * emulation-prevention bytes as it goes and is bounds-checked: a truncated or malformed SPS yields
 * undefined, never an exception. It runs on keyframes only and allocates nothing but its reader.
 */

/** A frame size in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}

const NAL_SPS = 7;
const NAL_STAP_A = 24;
const NAL_FU_A = 28;

/** The profiles whose SPS carries chroma format, bit depths and scaling matrices (§7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/**
 * Beyond this many macroblocks across or down (32 768 pixels) a size is taken as malformed: the largest
 * level (6.2) allows about 1 055, so only a corrupt SPS claims more, and it must not skew layer ranking.
 */
const MAX_DIMENSION_MBS = 2048;
/** §7.4.2.1.1: num_ref_frames_in_pic_order_cnt_cycle is at most 255. */
const MAX_POC_CYCLE = 255;

/**
 * Reads bits most-significant first from an escaped NAL unit payload, skipping each emulation-prevention
 * byte (the `03` of `00 00 03`). Reading past the end yields zeros and sets `overrun`, so the parser can
 * run straight through and check once (and inside loops whose length comes from the data).
 */
class RbspBitReader {
  overrun = false;
  readonly #bytes: Uint8Array;
  readonly #end: number;
  #next: number;
  /** The byte being consumed, and how many of its bits remain. */
  #current = 0;
  #bitsLeft = 0;
  /** Consecutive zero bytes just read, to recognise `00 00 03`. */
  #zeros = 0;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.#bytes = bytes;
    this.#next = start;
    this.#end = end;
  }

  bit(): number {
    if (this.#bitsLeft === 0 && !this.#load()) {
      this.overrun = true;
      return 0;
    }
    this.#bitsLeft--;
    return (this.#current >> this.#bitsLeft) & 1;
  }

  /** `count` bits (at most 32) as an unsigned number; arithmetic rather than `<<` keeps 32 bits unsigned. */
  bits(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) value = value * 2 + this.bit();
    return value;
  }

  /** ue(v), Exp-Golomb (§9.1); a code longer than 32 bits (beyond any SPS field) is an overrun. */
  ue(): number {
    let leadingZeros = 0;
    while (this.bit() === 0) {
      if (this.overrun || ++leadingZeros > 31) {
        this.overrun = true;
        return 0;
      }
    }
    return 2 ** leadingZeros - 1 + this.bits(leadingZeros);
  }

  /** se(v), signed Exp-Golomb (§9.1.1): 1, 2, 3, 4… map to 1, −1, 2, −2… */
  se(): number {
    const code = this.ue();
    return code % 2 === 1 ? (code + 1) / 2 : -(code / 2);
  }

  #load(): boolean {
    if (this.#next >= this.#end) return false;
    let byte = this.#bytes[this.#next++] as number;
    if (this.#zeros >= 2 && byte === 0x03) {
      // An emulation-prevention byte (§7.4.1): not part of the RBSP.
      this.#zeros = 0;
      if (this.#next >= this.#end) return false;
      byte = this.#bytes[this.#next++] as number;
    }
    this.#zeros = byte === 0 ? this.#zeros + 1 : 0;
    this.#current = byte;
    this.#bitsLeft = 8;
    return true;
  }
}

/** Skips one scaling_list() (§7.3.2.1.1.1) of `size` coefficients. */
function skipScalingList(reader: RbspBitReader, size: number): boolean {
  let lastScale = 8;
  for (let j = 0; j < size; j++) {
    const delta = reader.se();
    if (reader.overrun || delta < -128 || delta > 127) return false;
    const nextScale = (lastScale + delta + 256) % 256;
    // A next scale of 0 ends the coded list: the rest repeats the last scale (or is the default matrix).
    if (nextScale === 0) return true;
    lastScale = nextScale;
  }
  return true;
}

/**
 * The frame size of an SPS whose RBSP (the bytes after its one-byte NAL unit header, still escaped)
 * spans `bytes[start, end)`; undefined when it is truncated before the cropping fields or malformed.
 */
function parseSpsPayload(bytes: Uint8Array, start: number, end: number): FrameSize | undefined {
  const reader = new RbspBitReader(bytes, start, end);
  const profileIdc = reader.bits(8);
  reader.bits(8); // constraint_set0..5 flags and reserved_zero_2bits
  reader.bits(8); // level_idc
  if (reader.ue() > 31) return undefined; // seq_parameter_set_id
  let chromaFormatIdc = 1; // inferred 4:2:0 when absent (§7.4.2.1.1)
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = reader.ue();
    if (chromaFormatIdc > 3) return undefined;
    if (chromaFormatIdc === 3) separateColourPlane = reader.bit() === 1;
    if (reader.ue() > 6 || reader.ue() > 6) return undefined; // bit_depth_luma/chroma_minus8
    reader.bit(); // qpprime_y_zero_transform_bypass_flag
    if (reader.bit() === 1) {
      // seq_scaling_matrix_present_flag: 6 lists of 4×4, then 2 (or 6 in 4:4:4) of 8×8.
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        if (reader.bit() === 1 && !skipScalingList(reader, i < 6 ? 16 : 64)) return undefined;
      }
    }
  }
  if (reader.ue() > 12) return undefined; // log2_max_frame_num_minus4
  const picOrderCntType = reader.ue();
  if (picOrderCntType === 0) {
    if (reader.ue() > 12) return undefined; // log2_max_pic_order_cnt_lsb_minus4
  } else if (picOrderCntType === 1) {
    reader.bit(); // delta_pic_order_always_zero_flag
    reader.se(); // offset_for_non_ref_pic
    reader.se(); // offset_for_top_to_bottom_field
    const cycle = reader.ue();
    if (cycle > MAX_POC_CYCLE) return undefined;
    for (let i = 0; i < cycle && !reader.overrun; i++) reader.se(); // offset_for_ref_frame[i]
  } else if (picOrderCntType !== 2) {
    return undefined;
  }
  reader.ue(); // max_num_ref_frames
  reader.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = reader.ue() + 1;
  const heightInMapUnits = reader.ue() + 1;
  const frameMbsOnly = reader.bit();
  if (frameMbsOnly === 0) reader.bit(); // mb_adaptive_frame_field_flag
  reader.bit(); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (reader.bit() === 1) {
    cropLeft = reader.ue();
    cropRight = reader.ue();
    cropTop = reader.ue();
    cropBottom = reader.ue();
  }
  if (reader.overrun) return undefined;

  // A field picture's map unit is a pair of macroblock rows (§7.4.2.1.1, FrameHeightInMbs).
  const heightInMbs = (2 - frameMbsOnly) * heightInMapUnits;
  if (widthInMbs > MAX_DIMENSION_MBS || heightInMbs > MAX_DIMENSION_MBS) return undefined;
  // CropUnitX/CropUnitY (equations 7-19 to 7-22): in chroma samples, doubled vertically for fields.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = subWidthC;
  const cropUnitY = subHeightC * (2 - frameMbsOnly);
  const width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
  const height = heightInMbs * 16 - cropUnitY * (cropTop + cropBottom);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** The frame size of an SPS NAL unit (header byte included, emulation prevention still in place). */
export function parseH264Sps(nal: Uint8Array): FrameSize | undefined {
  const header = nal[0];
  if (header === undefined || (header & 0x1f) !== NAL_SPS) return undefined;
  return parseSpsPayload(nal, 1, nal.length);
}

/**
 * The frame size announced by the SPS an H.264 RTP payload (RFC 6184) carries: a single NAL unit packet
 * of an SPS, an SPS aggregated in a STAP-A (where browsers put it, with the PPS, before an IDR slice), or
 * the first fragment of an FU-A SPS when that fragment holds the fields up to the frame size. Undefined
 * for payloads without an SPS and for malformed ones. (STAP-B, MTAP and FU-B exist only in the
 * interleaved packetization mode, which WebRTC does not use.)
 */
export function h264KeyFrameSize(payload: Uint8Array): FrameSize | undefined {
  const first = payload[0];
  if (first === undefined) return undefined;
  const type = first & 0x1f;
  if (type === NAL_SPS) return parseSpsPayload(payload, 1, payload.length);
  if (type === NAL_FU_A) {
    const fu = payload[1];
    // Only the start fragment (S bit) holds the beginning of the SPS; its NAL header is the FU header's type.
    if (fu === undefined || (fu & 0x80) === 0 || (fu & 0x1f) !== NAL_SPS) return undefined;
    return parseSpsPayload(payload, 2, payload.length);
  }
  if (type === NAL_STAP_A) {
    // Aggregated NAL units, each preceded by its 16-bit size (RFC 6184 §5.7.1).
    let offset = 1;
    while (offset + 2 < payload.length) {
      const size = ((payload[offset] as number) << 8) | (payload[offset + 1] as number);
      const start = offset + 2;
      const end = start + size;
      if (size === 0 || end > payload.length) return undefined;
      if (((payload[start] as number) & 0x1f) === NAL_SPS) return parseSpsPayload(payload, start + 1, end);
      offset = end;
    }
  }
  return undefined;
}
