/**
 * G.711 (ITU-T G.711): 16-bit linear PCM ↔ 8-bit µ-law (PCMU, RTP payload type 0) and A-law (PCMA,
 * payload type 8), the codecs every SIP endpoint and PSTN gateway speaks. The segment arithmetic is the
 * reference one (as in Sun's public-domain `g711.c`, used by most open-source stacks).
 */

/** The two G.711 laws. */
export type G711Law = 'pcmu' | 'pcma';

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32_635;

/** One 16-bit sample → one µ-law byte. */
export function linearToMulaw(sample: number): number {
  let pcm = Math.max(-32_768, Math.min(32_767, Math.round(sample)));
  const sign = pcm < 0 ? 0x80 : 0;
  if (sign) pcm = -pcm;
  pcm = Math.min(pcm, MULAW_CLIP) + MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (pcm >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One µ-law byte → one 16-bit sample. */
export function mulawToLinear(byte: number): number {
  const value = ~byte & 0xff;
  const exponent = (value >> 4) & 0x07;
  const magnitude = ((((value & 0x0f) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return value & 0x80 ? -magnitude : magnitude;
}

/** One 16-bit sample → one A-law byte. */
export function linearToAlaw(sample: number): number {
  let pcm = Math.max(-32_768, Math.min(32_767, Math.round(sample))) >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const ends = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  const segment = ends.findIndex((end) => pcm <= end);
  if (segment === -1) return 0x7f ^ mask;
  const shifted = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return ((segment << 4) | shifted) ^ mask;
}

/** One A-law byte → one 16-bit sample. */
export function alawToLinear(byte: number): number {
  const value = byte ^ 0x55;
  let magnitude = (value & 0x0f) << 4;
  const segment = (value & 0x70) >> 4;
  if (segment === 0) magnitude += 8;
  else if (segment === 1) magnitude += 0x108;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

/** Encodes samples with one law. */
export function encodeG711(samples: Int16Array, law: G711Law): Buffer {
  const out = Buffer.alloc(samples.length);
  const encode = law === 'pcmu' ? linearToMulaw : linearToAlaw;
  for (let i = 0; i < samples.length; i++) out[i] = encode(samples[i] ?? 0);
  return out;
}

/** Decodes bytes of one law to samples. */
export function decodeG711(bytes: Uint8Array, law: G711Law): Int16Array {
  const out = new Int16Array(bytes.length);
  const decode = law === 'pcmu' ? mulawToLinear : alawToLinear;
  for (let i = 0; i < bytes.length; i++) out[i] = decode(bytes[i] ?? 0);
  return out;
}
