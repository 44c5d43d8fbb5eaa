/**
 * Incoming SRTP decrypted by the addon: werift keeps receiving, demultiplexing, tracking each SSRC's
 * rollover counter and parsing; only its cipher's `decryptRtp` is replaced for the session's incoming
 * context. The packet is decrypted in place in the datagram's own buffer (werift's cipher allocated a
 * second buffer and a `Decipheriv` per packet); a packet that does not authenticate throws werift's
 * `SrtpAuthenticationError`, which werift's receive loop drops as before.
 */
import { type RtpHeader, SrtpAuthenticationError } from 'werift';
import type { NativeDatapath } from './datapath.js';
import { nativeSrtpFor, type WeriftSrtpSession } from './srtp-contexts.js';

/** werift's incoming SRTP cipher: the one method replaced. */
interface WeriftCipher {
  decryptRtp(cipherText: Buffer, rolloverCounter: number, header: RtpHeader): [Buffer, RtpHeader];
}

/** What this reads of werift's `RTCDtlsTransport`. */
export interface DtlsTransportWithSrtp {
  srtp?: WeriftSrtpSession & { remoteContext: { cipher: WeriftCipher } };
}

const FAILED = 'Failed to authenticate SRTP packet';
const installed = new WeakSet<object>();

/**
 * Makes `transport`'s current SRTP session decrypt incoming RTP with the addon. Returns false when there
 * is no session yet or its profile is not one the addon implements (werift keeps decrypting). Safe to
 * call repeatedly.
 */
export function useNativeDecryption(datapath: NativeDatapath, transport: DtlsTransportWithSrtp): boolean {
  const session = transport.srtp;
  if (session === undefined) return false;
  if (installed.has(session)) return true;
  const pair = nativeSrtpFor(datapath, session);
  if (pair === null) return false;
  const context = pair.remote;
  session.remoteContext.cipher.decryptRtp = (cipherText, rolloverCounter, header) => {
    const length = datapath.unprotectRtp(context, cipherText, header.payloadOffset, rolloverCounter);
    if (length < 0) throw new SrtpAuthenticationError(FAILED);
    const packet = cipherText.subarray(0, length);
    return [packet, withPadding(header, packet)];
  };
  installed.add(session);
  return true;
}

/** werift's `finalizeSrtpRtpHeader`: the padding size from the decrypted last byte, checked. */
function withPadding(header: RtpHeader, packet: Buffer): RtpHeader {
  if (!header.padding) {
    header.paddingSize = 0;
    return header;
  }
  const paddingSize = packet.length > header.payloadOffset ? (packet[packet.length - 1] as number) : 0;
  if (paddingSize === 0 || paddingSize > packet.length - header.payloadOffset) {
    throw new SrtpAuthenticationError(FAILED);
  }
  header.paddingSize = paddingSize;
  return header;
}
