import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  SrtcpSession,
  SrtpAuthenticationError,
} from 'werift';
import { requireNativeDatapath } from './datapath.js';
import { type DtlsTransportWithSrtcp, useNativeRtcp } from './rtcp.js';
import { nativeSrtpFor, type WeriftSrtpSession } from './srtp-contexts.js';

/** werift's SRTCP keys and cipher, as the tests reach them. */
interface Keys {
  srtcpSessionKey: Buffer;
  srtcpSessionSalt: Buffer;
  srtcpSessionAuthTag: Buffer;
  cipher: { encryptRTCP(raw: Buffer, index: number): Buffer; decryptRTCP(packet: Buffer): [Buffer, unknown] };
}

function sessionPair(profile: number): { a: SrtcpSession; b: SrtcpSession } {
  const [k1, k2, s1, s2] = [randomBytes(16), randomBytes(16), randomBytes(14), randomBytes(14)];
  const config = (lk: Buffer, ls: Buffer, rk: Buffer, rs: Buffer) => ({
    keys: { localMasterKey: lk, localMasterSalt: ls, remoteMasterKey: rk, remoteMasterSalt: rs },
    profile,
  });
  return { a: new SrtcpSession(config(k1, s1, k2, s2)), b: new SrtcpSession(config(k2, s2, k1, s1)) };
}

const local = (session: SrtcpSession): Keys => session.localContext as unknown as Keys;

/** A receiver report with one report block: 32 bytes. */
function receiverReport(): Buffer {
  const packet = randomBytes(32);
  packet[0] = 0x81;
  packet[1] = 201;
  packet.writeUInt16BE(7, 2);
  return packet;
}

describe.each([
  ['AEAD_AES_128_GCM', ProtectionProfileAeadAes128Gcm],
  ['AES_CM_128_HMAC_SHA1_80', ProtectionProfileAes128CmHmacSha1_80],
] as const)('native SRTCP, %s', (_name, profile) => {
  it('protects byte for byte as werift does and decrypts what werift protected', () => {
    const native = requireNativeDatapath();
    const { a, b } = sessionPair(profile);
    const mine = nativeSrtpFor(native, a as unknown as WeriftSrtpSession, 'srtcp');
    const theirs = nativeSrtpFor(native, b as unknown as WeriftSrtpSession, 'srtcp');
    for (const index of [1, 2, 65_535, 65_536, 0x7fffffff]) {
      const raw = receiverReport();
      const out = Buffer.alloc(raw.length + 20);
      const written = native.protectRtcp(mine?.local as never, raw, index, out);
      const expected = local(a).cipher.encryptRTCP(raw, index);
      expect(out.subarray(0, written).equals(expected)).toBe(true);
      const copy = Buffer.from(expected);
      expect(native.unprotectRtcp(theirs?.remote as never, copy)).toBe(raw.length);
      expect(copy.subarray(0, raw.length).equals(raw)).toBe(true);
    }
  });

  it('authenticates a packet sent unencrypted (E = 0) without decrypting it, and refuses tampering', () => {
    const native = requireNativeDatapath();
    const { a, b } = sessionPair(profile);
    const theirs = nativeSrtpFor(native, b as unknown as WeriftSrtpSession, 'srtcp');
    const raw = receiverReport();
    const index = Buffer.from([0, 0, 0, 9]); // E = 0, index 9
    const keys = local(a);
    let packet: Buffer;
    if (profile === ProtectionProfileAeadAes128Gcm) {
      const iv = Buffer.alloc(12);
      raw.copy(iv, 2, 4, 8);
      index.copy(iv, 8);
      for (let i = 0; i < 12; i++) iv[i] = (iv[i] as number) ^ (keys.srtcpSessionSalt[i] as number);
      const cipher = createCipheriv('aes-128-gcm', keys.srtcpSessionKey, iv);
      cipher.setAAD(Buffer.concat([raw, index]));
      cipher.final();
      packet = Buffer.concat([raw, cipher.getAuthTag(), index]);
    } else {
      const tag = createHmac('sha1', keys.srtcpSessionAuthTag).update(raw).update(index).digest();
      packet = Buffer.concat([raw, index, tag.subarray(0, 10)]);
    }
    const copy = Buffer.from(packet);
    expect(native.unprotectRtcp(theirs?.remote as never, copy)).toBe(raw.length);
    expect(copy.subarray(0, raw.length).equals(raw)).toBe(true);
    const tampered = Buffer.from(packet);
    tampered[12] = (tampered[12] as number) ^ 1;
    expect(native.unprotectRtcp(theirs?.remote as never, tampered)).toBe(-1);
    expect(native.unprotectRtcp(theirs?.remote as never, packet.subarray(0, 20))).toBe(-1);
  });

  it('replaces the ciphers of a werift SRTCP session: its packets still cross, tampering still throws', () => {
    const native = requireNativeDatapath();
    const { a, b } = sessionPair(profile);
    expect(useNativeRtcp(native, {})).toBe(false);
    expect(useNativeRtcp(native, { srtcp: a } as unknown as DtlsTransportWithSrtcp)).toBe(true);
    expect(useNativeRtcp(native, { srtcp: b } as unknown as DtlsTransportWithSrtcp)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const raw = receiverReport();
      const packet = a.encrypt(raw);
      expect(b.decrypt(Buffer.from(packet)).equals(raw)).toBe(true);
      const tampered = Buffer.from(packet);
      tampered[10] = (tampered[10] as number) ^ 1;
      expect(() => b.decrypt(tampered)).toThrow(SrtpAuthenticationError);
    }
  });

  it('names the argument it rejects', () => {
    const native = requireNativeDatapath();
    const context = native.createSrtpContext(7, randomBytes(16), randomBytes(12), null);
    expect(() => native.protectRtcp(context, Buffer.alloc(4), 1, Buffer.alloc(64))).toThrow(/packet/);
    expect(() => native.protectRtcp(context, receiverReport(), -1, Buffer.alloc(64))).toThrow(/index/);
    expect(() => native.protectRtcp(context, receiverReport(), 2 ** 31, Buffer.alloc(64))).toThrow(/index/);
    expect(() => native.protectRtcp(context, receiverReport(), 1, Buffer.alloc(40))).toThrow(/too small/);
  });
});
