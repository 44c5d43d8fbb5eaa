/**
 * A test-side encoder of the H.264 SPS syntax (ITU-T H.264 §7.3.2.1.1), for the layouts x264 never
 * writes (pic_order_cnt_type 1, scaling matrices in a 4:4:4 SPS, separate colour planes) and for
 * malformed ones. It writes what a test asks for, in range or not, and escapes the result as a NAL unit.
 */

/** The fields of a hand-built SPS (§7.3.2.1.1); the high-profile branch is written when `chromaFormatIdc` is set. */
export interface SpsFields {
  profileIdc: number;
  levelIdc: number;
  chromaFormatIdc?: number;
  separateColourPlane?: boolean;
  bitDepthMinus8?: number;
  /** One entry per scaling list: its delta_scale values, or undefined when the list is absent. */
  scalingLists?: (number[] | undefined)[];
  log2MaxFrameNumMinus4?: number;
  picOrderCnt:
    | { type: 0; log2MaxLsbMinus4: number }
    | { type: 1; offsetForNonRefPic: number; offsetForTopToBottomField: number; offsetsForRefFrame: number[] }
    | { type: 2 };
  widthInMbs: number;
  heightInMapUnits: number;
  frameMbsOnly: boolean;
  crop?: [left: number, right: number, top: number, bottom: number];
}

/** Writes bits most-significant first; Exp-Golomb as §9.1. */
class BitWriter {
  readonly bits: number[] = [];
  u(count: number, value: number): void {
    for (let i = count - 1; i >= 0; i--) this.bits.push(Math.floor(value / 2 ** i) % 2);
  }
  ue(value: number): void {
    const length = Math.floor(Math.log2(value + 1));
    this.u(length, 0);
    this.u(length + 1, value + 1);
  }
  se(value: number): void {
    this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }
  /** The RBSP with its stop bit, escaped as a NAL unit payload (§7.4.1). */
  escaped(): number[] {
    const bits = [...this.bits, 1];
    while (bits.length % 8 !== 0) bits.push(0);
    const out: number[] = [];
    let zeros = 0;
    for (let i = 0; i < bits.length; i += 8) {
      const byte = bits.slice(i, i + 8).reduce((value, bit) => value * 2 + bit, 0);
      if (zeros >= 2 && byte <= 3) {
        out.push(3);
        zeros = 0;
      }
      out.push(byte);
      zeros = byte === 0 ? zeros + 1 : 0;
    }
    return out;
  }
}

/** An SPS NAL unit of `fields`, escaped, without VUI. */
export function writeSps(fields: SpsFields): Uint8Array {
  const w = new BitWriter();
  w.u(8, fields.profileIdc);
  w.u(8, 0); // constraint flags
  w.u(8, fields.levelIdc);
  w.ue(0); // seq_parameter_set_id
  if (fields.chromaFormatIdc !== undefined) {
    w.ue(fields.chromaFormatIdc);
    if (fields.chromaFormatIdc === 3) w.u(1, fields.separateColourPlane ? 1 : 0);
    w.ue(fields.bitDepthMinus8 ?? 0);
    w.ue(fields.bitDepthMinus8 ?? 0);
    w.u(1, 0); // qpprime_y_zero_transform_bypass_flag
    w.u(1, fields.scalingLists ? 1 : 0);
    for (const list of fields.scalingLists ?? []) {
      w.u(1, list ? 1 : 0);
      for (const delta of list ?? []) w.se(delta);
    }
  }
  w.ue(fields.log2MaxFrameNumMinus4 ?? 0);
  const poc = fields.picOrderCnt;
  w.ue(poc.type);
  if (poc.type === 0) w.ue(poc.log2MaxLsbMinus4);
  if (poc.type === 1) {
    w.u(1, 0);
    w.se(poc.offsetForNonRefPic);
    w.se(poc.offsetForTopToBottomField);
    w.ue(poc.offsetsForRefFrame.length);
    for (const offset of poc.offsetsForRefFrame) w.se(offset);
  }
  w.ue(1); // max_num_ref_frames
  w.u(1, 0); // gaps_in_frame_num_value_allowed_flag
  w.ue(fields.widthInMbs - 1);
  w.ue(fields.heightInMapUnits - 1);
  w.u(1, fields.frameMbsOnly ? 1 : 0);
  if (!fields.frameMbsOnly) w.u(1, 0); // mb_adaptive_frame_field_flag
  w.u(1, 1); // direct_8x8_inference_flag
  w.u(1, fields.crop ? 1 : 0);
  for (const offset of fields.crop ?? []) w.ue(offset);
  w.u(1, 0); // vui_parameters_present_flag
  return Uint8Array.from([0x67, ...w.escaped()]);
}
