/**
 * SRTCP through the addon, both ways: werift keeps building, parsing and scheduling RTCP and numbering
 * SRTCP packets (its contexts' per-SSRC index); only the ciphers of its `SrtcpSession` are replaced. An
 * SFU sends and receives RTCP on every leg every second (sender and receiver reports, REMB, NACK, PLI),
 * and werift's cipher built a Node cipher (and, with AES-CM, an HMAC) per packet.
 */
import { RtcpHeader, SrtpAuthenticationError } from 'werift';
import type { NativeDatapath } from './datapath.js';
import { nativeSrtpFor, type WeriftSrtpSession } from './srtp-contexts.js';

/** werift's SRTCP ciphers: the two methods replaced. */
interface WeriftRtcpCipher {
  encryptRTCP(rawRtcp: Buffer, srtcpIndex: number): Buffer;
  decryptRTCP(encrypted: Buffer): [Buffer, RtcpHeader];
}

/** What this reads of werift's `RTCDtlsTransport`. */
export interface DtlsTransportWithSrtcp {
  srtcp?: WeriftSrtpSession & {
    localContext: { cipher: WeriftRtcpCipher };
    remoteContext: { cipher: WeriftRtcpCipher };
  };
}

/** The most an SRTCP packet adds: a 16-byte tag (AES-GCM) and the 4-byte E|index. */
const SRTCP_OVERHEAD = 20;
const installed = new WeakSet<object>();

/**
 * Makes `transport`'s current SRTCP session protect and decrypt with the addon. Returns false when
 * there is no session yet or its profile is not one the addon implements. Safe to call repeatedly.
 */
export function useNativeRtcp(datapath: NativeDatapath, transport: DtlsTransportWithSrtcp): boolean {
  const session = transport.srtcp;
  if (session === undefined) return false;
  if (installed.has(session)) return true;
  const pair = nativeSrtpFor(datapath, session, 'srtcp');
  if (pair === null) return false;
  const { local, remote } = pair;
  session.localContext.cipher.encryptRTCP = (rawRtcp, srtcpIndex) => {
    const out = Buffer.allocUnsafe(rawRtcp.length + SRTCP_OVERHEAD);
    return out.subarray(0, datapath.protectRtcp(local, rawRtcp, srtcpIndex, out));
  };
  session.remoteContext.cipher.decryptRTCP = (encrypted) => {
    const length = datapath.unprotectRtcp(remote, encrypted);
    if (length < 0) throw new SrtpAuthenticationError('Failed to authenticate SRTCP packet');
    const packet = encrypted.subarray(0, length);
    return [packet, RtcpHeader.deSerialize(packet.subarray(0, 4))];
  };
  installed.add(session);
  return true;
}
