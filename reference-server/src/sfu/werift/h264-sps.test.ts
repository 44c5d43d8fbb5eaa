import { describe, expect, it } from 'vitest';
import { h264KeyFrameSize, parseH264Sps } from './h264-sps.js';
import { type SpsFields, writeSps } from './testing/h264-sps-writer.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/**
 * Real SPS NAL units (header byte included, emulation prevention in place), each the SPS of one frame of
 * `testsrc` encoded by ffmpeg 5.1 / libx264 (core 164):
 *
 *   ffmpeg -f lavfi -i testsrc=size=WxH:rate=R -frames:v 1 -pix_fmt PIX -c:v libx264 -profile:v P \
 *     [-x264-params …] -f h264 out.h264
 *
 * then the bytes between the start code before the NAL unit of type 7 and the next start code. x264
 * writes scaling matrices into the PPS, except in AVC-Intra mode (`avcintra-class`), whose SPS carries
 * them: those are the `avci` samples (10-bit, High 4:2:2 Intra and High 10 Intra profiles).
 */
const X264_SPS: [name: string, width: number, height: number, sps: string][] = [
  // Baseline (profile 66): pic_order_cnt_type 2 (x264 without B-frames).
  ['baseline 1280x720', 1280, 720, '6742c01fd9005005bb0110000003001000000303c0f1832480'],
  ['baseline 426x240 (cropped)', 426, 240, '6742c015d901b1fe4f0110000003001000000303c0f162e480'],
  ['baseline 16x16', 16, 16, '6742c00ad91ec044000003000400000300f03c489920'],
  // Main (profile 77): pic_order_cnt_type 0.
  ['main 640x360 (cropped)', 640, 360, '674d401eeca05017fcb80880000003008000001e078b16cb'],
  ['main 854x480 (cropped)', 854, 480, '674d401feca06c1ef3780880000003008000001e078c18cb'],
  // High (profile 100).
  ['high 320x180 (cropped)', 320, 180, '6764000dacd941419f9f0110000003001000000303c0f1429960'],
  [
    'high 1920x1080 (cropped from 1088)',
    1920,
    1080,
    '67640028acd940780227e5c044000003000400000300f03c60c658',
  ],
  ['high 3840x2160', 3840, 2160, '67640033acd9403c0043ec0440000003004000000f03c60c6580'],
  // Interlaced (-x264-params interlaced=1 / tff=1): frame_mbs_only_flag 0, map units of two macroblock rows.
  ['high interlaced 1920x1080', 1920, 1080, '67640028acd94078044fde0220000003002000000783e2c5b2c0'],
  ['high interlaced 720x576', 720, 576, '6764001facd940b424d80880000003008000001e0f8b16cb'],
  // High 4:2:2 (profile 122, -pix_fmt yuv422p): CropUnitY is 1.
  ['high422 642x362 (cropped)', 642, 362, '677a001ebcd940a42fe227c044000003000400000300f03c58b658'],
  // High 4:4:4 Predictive (profile 244, -pix_fmt yuv444p): chroma_format_idc 3, CropUnitX/Y are 1.
  ['high444 1280x720', 1280, 720, '67f4001f919b280a00b76022000003000200000300781e30632c'],
  ['high444 250x142 (cropped)', 250, 142, '67f4000c919b282027cf780880000003008000001e078a14cb'],
  // AVC-Intra: -pix_fmt yuv422p10le -x264-params avcintra-class=100[:interlaced=1], seq_scaling_matrix_present.
  [
    'avci 100 1920x1080 interlaced, scaling matrices',
    1920,
    1080,
    '677a1029b6d420223319c6632321011198ce33191821033a46656a6524ade91232141a2634ada441822301502b1a24694830402e111208c68c0441284c34f01e0113f2e022000007d20001d4c108',
  ],
  [
    'avci 100 1920x1080 progressive, scaling matrices',
    1920,
    1080,
    '677a1029b6d420223319c6632321011198ce331918210256b93d7d7e4fe33f11f19e08b88c5443c0780227e270110000030001000003003284',
  ],
  [
    'avci 100 1280x720, scaling matrices',
    1280,
    720,
    '677a1029b6d4202a331dc762a1084054663b8ec542021025642c89e885e4214b90830695d106469720c8d7430811c21e4c910f014016ec04400000fa4000753021',
  ],
  // -pix_fmt yuv420p10le -x264-params avcintra-class=50:interlaced=1: High 10 Intra (profile 110).
  [
    'avci 50 1440x1080 interlaced, scaling matrices',
    1440,
    1080,
    '676e1028a6d42032330c7118886210191986388c44302102564e6e61873e734d980c03069c0b73e6c0b518630d39e05b02d4c6191a798c323424f0168113f787080000030008000003019420',
  ],
];

/** The PPS and the start of the IDR slice x264 wrote after the `main 640x360` SPS. */
const X264_PPS = '68ebe3cb20';
const X264_IDR_START = '6588840027fffef5b17c0a6ae9ea8a0ce8322ee102b8d53f';
const MAIN_640 = X264_SPS.find(([name]) => name.startsWith('main 640x360'))?.[3] as string;

/** An RFC 6184 STAP-A of the NAL units (F and NRI of the indicator: 0, 3, as browsers send). */
function stapA(...nals: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x78)];
  for (const nal of nals) parts.push(Uint8Array.of(nal.length >> 8, nal.length & 0xff), nal);
  return Buffer.concat(parts);
}

/** An RFC 6184 FU-A fragment of `nal` holding `body` (bytes of the NAL after its header). */
function fuA(nal: Uint8Array, body: Uint8Array, position: 'start' | 'middle' | 'end'): Uint8Array {
  const header = nal[0] as number;
  const flags = position === 'start' ? 0x80 : position === 'end' ? 0x40 : 0;
  return Buffer.concat([Uint8Array.of((header & 0xe0) | 28, flags | (header & 0x1f)), body]);
}

describe('parseH264Sps on x264 SPS', () => {
  for (const [name, width, height, sps] of X264_SPS) {
    it(`reads ${width}x${height} from ${name}`, () => {
      expect(parseH264Sps(hex(sps))).toEqual({ width, height });
    });
  }

  it('never throws on a truncated SPS: undefined until the cropping fields are complete, then the size', () => {
    for (const [name, width, height, text] of X264_SPS) {
      const sps = hex(text);
      const results = Array.from({ length: sps.length + 1 }, (_, length) =>
        parseH264Sps(sps.subarray(0, length)),
      );
      const firstKnown = results.findIndex((result) => result !== undefined);
      // The header and the three fixed bytes are never enough; the VUI after the size is not needed.
      expect(firstKnown, name).toBeGreaterThan(4);
      expect(firstKnown, name).toBeLessThan(sps.length);
      expect(results.slice(0, firstKnown).every((result) => result === undefined)).toBe(true);
      for (const result of results.slice(firstKnown)) {
        expect(result, name).toEqual({ width, height });
      }
    }
  });

  it('rejects NAL units that are not an SPS', () => {
    expect(parseH264Sps(hex(X264_PPS))).toBeUndefined();
    expect(parseH264Sps(hex(X264_IDR_START))).toBeUndefined();
    expect(parseH264Sps(new Uint8Array(0))).toBeUndefined();
  });
});

/*
 * SPS layouts x264 never writes (pic_order_cnt_type 1, 4:4:4 scaling matrices, separate colour planes,
 * emulation prevention ahead of the size fields), built by `writeSps`. Its three outputs are pinned as
 * hex: ffmpeg's `trace_headers` bitstream filter decoded each of them to exactly the fields given here
 * (`ffmpeg -f h264 -i sps.h264 -c copy -bsf:v trace_headers -f null -`).
 */

/** Scaling-list delta_scale values: a whole 8×8 list (never reaching 0), and lists ended early by a 0 scale. */
const WHOLE_8X8 = Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 127 : -120));
const HAND_BUILT: { name: string; fields: SpsFields; hex: string; width: number; height: number }[] = [
  {
    // offset_for_non_ref_pic −2^23 is a 49-bit code: its zeros need two emulation-prevention bytes.
    name: 'pic_order_cnt_type 1 with emulation prevention before the size',
    fields: {
      profileIdc: 77,
      levelIdc: 31,
      picOrderCnt: {
        type: 1,
        offsetForNonRefPic: -(2 ** 23),
        offsetForTopToBottomField: 5,
        offsetsForRefFrame: [1, -2, 3, 70_000],
      },
      widthInMbs: 80,
      heightInMapUnits: 45,
      frameMbsOnly: true,
    },
    hex: '674d001fd0000003020000030228a8a60000445c0805005b90',
    width: 1280,
    height: 720,
  },
  {
    // 12 lists in 4:4:4; CropUnitX and CropUnitY are 1: 640 − 3 by 368 − 8.
    name: 'High 4:4:4 with 12 scaling lists and cropping',
    fields: {
      profileIdc: 244,
      levelIdc: 40,
      chromaFormatIdc: 3,
      scalingLists: [
        [-8],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        undefined,
        [-128, 127, -7],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -8],
        undefined,
        WHOLE_8X8,
        [-8],
        undefined,
        WHOLE_8X8,
        [3, -11],
        undefined,
      ],
      picOrderCnt: { type: 0, log2MaxLsbMinus4: 2 },
      widthInMbs: 40,
      heightInMapUnits: 23,
      frameMbsOnly: true,
      crop: [1, 2, 3, 5],
    },
    hex:
      '67f4002891b08d10c2050c1c10090502c180d0703c081008080fe1ffffe11407f00f101fc03c407f00f101fc03c407f00f10' +
      '1fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f' +
      '00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03' +
      'c611407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00' +
      'f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c407f00f101fc03c4' +
      '07f00f101fc03c407f00f101fc03c407f00f101fc03c660bb680a02fd32190',
    width: 637,
    height: 360,
  },
  {
    // ChromaArrayType 0: CropUnitX 1, CropUnitY 2 (fields): 640 − 3 by 2 × 12 × 16 − 16.
    name: 'separate colour planes, interlaced, cropped',
    fields: {
      profileIdc: 244,
      levelIdc: 40,
      chromaFormatIdc: 3,
      separateColourPlane: true,
      picOrderCnt: { type: 2 },
      widthInMbs: 40,
      heightInMapUnits: 12,
      frameMbsOnly: false,
      crop: [1, 2, 3, 5],
    },
    hex: '67f40028939680a061a64320',
    width: 637,
    height: 368,
  },
];

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('parseH264Sps on hand-built SPS', () => {
  for (const sample of HAND_BUILT) {
    it(`reads ${sample.width}x${sample.height} from ${sample.name}`, () => {
      expect(toHex(writeSps(sample.fields))).toBe(sample.hex);
      expect(parseH264Sps(hex(sample.hex))).toEqual({ width: sample.width, height: sample.height });
    });
  }

  it('removes the emulation-prevention bytes it meets', () => {
    const escaped = hex(HAND_BUILT[0]?.hex as string);
    // The RBSP: each 03 after two zero bytes dropped (what the parser must read through).
    const rbsp: number[] = [];
    for (const byte of escaped) {
      if (byte === 3 && rbsp.at(-1) === 0 && rbsp.at(-2) === 0) continue;
      rbsp.push(byte);
    }
    expect(escaped.length - rbsp.length).toBe(2);
    // Both escapes sit in offset_for_non_ref_pic, ahead of the size: read as data, they would shift it.
    expect(escaped.indexOf(3)).toBeLessThan(12);
    expect(parseH264Sps(escaped)).toEqual({ width: 1280, height: 720 });
    // An RBSP read as if escaped: 00 00 02 is not an escape, so the same fields come out.
    expect(parseH264Sps(Uint8Array.from(rbsp))).toEqual({ width: 1280, height: 720 });
  });

  it('rejects values outside their ranges', () => {
    const base = HAND_BUILT[1]?.fields as SpsFields;
    const poc1 = HAND_BUILT[0]?.fields as SpsFields;
    expect(parseH264Sps(writeSps(base))).toBeDefined();
    expect(parseH264Sps(writeSps({ ...base, chromaFormatIdc: 4 }))).toBeUndefined();
    expect(parseH264Sps(writeSps({ ...base, bitDepthMinus8: 7 }))).toBeUndefined();
    expect(parseH264Sps(writeSps({ ...base, scalingLists: [[-129]] }))).toBeUndefined();
    expect(parseH264Sps(writeSps({ ...base, log2MaxFrameNumMinus4: 13 }))).toBeUndefined();
    expect(
      parseH264Sps(writeSps({ ...base, picOrderCnt: { type: 0, log2MaxLsbMinus4: 13 } })),
    ).toBeUndefined();
    expect(
      parseH264Sps(writeSps({ ...base, picOrderCnt: { type: 3 } as unknown as { type: 2 } })),
    ).toBeUndefined();
    const longCycle = {
      type: 1 as const,
      offsetForNonRefPic: 0,
      offsetForTopToBottomField: 0,
      offsetsForRefFrame: Array<number>(256).fill(1),
    };
    expect(parseH264Sps(writeSps({ ...poc1, picOrderCnt: longCycle }))).toBeUndefined();
    // Cropping the whole frame away, and a frame wider than any level allows.
    expect(parseH264Sps(writeSps({ ...base, crop: [320, 320, 0, 0] }))).toBeUndefined();
    expect(parseH264Sps(writeSps({ ...base, crop: [0, 0, 184, 184] }))).toBeUndefined();
    expect(parseH264Sps(writeSps({ ...base, widthInMbs: 4096 }))).toBeUndefined();
  });
});

describe('h264KeyFrameSize in RTP payloads', () => {
  const sps = hex(MAIN_640);
  const size = { width: 640, height: 360 };

  it('reads a single NAL unit packet of an SPS', () => {
    expect(h264KeyFrameSize(sps)).toEqual(size);
  });

  it('reads the SPS of a STAP-A, first or after other NAL units', () => {
    expect(h264KeyFrameSize(stapA(sps, hex(X264_PPS), hex(X264_IDR_START)))).toEqual(size);
    // An access unit delimiter (type 9) ahead of it.
    expect(h264KeyFrameSize(stapA(Uint8Array.of(0x09, 0xf0), sps, hex(X264_PPS)))).toEqual(size);
  });

  it('rejects a STAP-A whose sizes overrun the payload or that has no SPS', () => {
    const whole = stapA(sps, hex(X264_PPS));
    expect(h264KeyFrameSize(whole.subarray(0, 10))).toBeUndefined();
    expect(h264KeyFrameSize(stapA(Uint8Array.of(), sps))).toBeUndefined();
    expect(h264KeyFrameSize(stapA(hex(X264_PPS), hex(X264_IDR_START)))).toBeUndefined();
    expect(h264KeyFrameSize(Uint8Array.of(0x78))).toBeUndefined();
  });

  it('reads the start fragment of an FU-A SPS when it holds the fields up to the size', () => {
    const body = sps.subarray(1);
    expect(h264KeyFrameSize(fuA(sps, body, 'start'))).toEqual(size);
    expect(h264KeyFrameSize(fuA(sps, body.subarray(0, 12), 'start'))).toEqual(size);
    expect(h264KeyFrameSize(fuA(sps, body.subarray(0, 4), 'start'))).toBeUndefined();
    expect(h264KeyFrameSize(fuA(sps, body.subarray(12), 'middle'))).toBeUndefined();
    expect(h264KeyFrameSize(fuA(sps, body.subarray(12), 'end'))).toBeUndefined();
  });

  it('finds no size in payloads without an SPS', () => {
    const idr = hex(X264_IDR_START);
    expect(h264KeyFrameSize(idr)).toBeUndefined();
    expect(h264KeyFrameSize(hex(X264_PPS))).toBeUndefined();
    expect(h264KeyFrameSize(fuA(idr, idr.subarray(1), 'start'))).toBeUndefined();
    expect(h264KeyFrameSize(Uint8Array.of(0x41, 0x9a, 0x00))).toBeUndefined(); // non-IDR slice
    expect(h264KeyFrameSize(new Uint8Array(0))).toBeUndefined();
  });

  it('never throws on truncated packets of any packetization', () => {
    const payloads = [
      sps,
      stapA(sps, hex(X264_PPS), hex(X264_IDR_START)),
      fuA(sps, sps.subarray(1), 'start'),
    ];
    for (const payload of payloads) {
      for (let length = 0; length <= payload.length; length++) {
        const result = h264KeyFrameSize(payload.subarray(0, length));
        if (result !== undefined) expect(result).toEqual(size);
      }
    }
  });

  it('never throws on arbitrary bytes, and any size it reads is bounded', () => {
    // A fixed-seed generator (xorshift32): the same inputs on every run.
    let state = 0x2545f491;
    const next = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    for (let i = 0; i < 2000; i++) {
      const payload = Uint8Array.from({ length: 1 + (next() % 40) }, () => next() & 0xff);
      payload[0] = i % 2 === 0 ? 0x67 : 0x78; // an SPS, or a STAP-A
      const result = h264KeyFrameSize(payload);
      if (result !== undefined) {
        expect(result.width).toBeGreaterThan(0);
        expect(result.height).toBeGreaterThan(0);
        expect(result.width).toBeLessThanOrEqual(32_768);
        expect(result.height).toBeLessThanOrEqual(32_768);
      }
    }
  });
});
