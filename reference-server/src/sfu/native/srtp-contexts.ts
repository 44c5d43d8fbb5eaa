/**
 * The addon's SRTP contexts for a werift SRTP session: made once per session from the session keys
 * werift derived from DTLS (never derived twice, never copied into JavaScript strings), kept in a
 * WeakMap so they live exactly as long as werift's session object — a DTLS re-key creates a new werift
 * session, and so new contexts.
 */
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80 } from 'werift';
import type { NativeDatapath, NativeSrtpContext } from './datapath.js';

/**
 * The fields of werift's SRTP/SRTCP contexts (`SrtpContext`, `SrtcpContext`) this reads: plain properties
 * at run time. Both derive both sets of session keys; an SRTP session uses the first, SRTCP the second.
 */
interface WeriftSrtpContextKeys {
  profile: number;
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  srtpSessionAuthTag: Buffer;
  srtcpSessionKey: Buffer;
  srtcpSessionSalt: Buffer;
  srtcpSessionAuthTag: Buffer;
}

/** The parts of werift's `SrtpSession` this reads. */
export interface WeriftSrtpSession {
  localContext: WeriftSrtpContextKeys;
  remoteContext: WeriftSrtpContextKeys;
}

/** The addon's contexts for one werift session: outgoing (local keys) and incoming (remote keys). */
export interface NativeSrtpPair {
  readonly local: NativeSrtpContext;
  readonly remote: NativeSrtpContext;
  /** The authentication tag's length of the profile: 16 (AES-GCM) or 10 (AES-CM with HMAC-SHA1-80). */
  readonly tagLength: number;
}

const pairs = new WeakMap<object, NativeSrtpPair | null>();

/**
 * The native contexts of `session` (werift's `SrtpSession`, or its `SrtcpSession` with `protocol`
 * `srtcp`), or null when its profile is not one the addon implements.
 */
export function nativeSrtpFor(
  datapath: NativeDatapath,
  session: WeriftSrtpSession,
  protocol: 'srtp' | 'srtcp' = 'srtp',
): NativeSrtpPair | null {
  let pair = pairs.get(session);
  if (pair !== undefined) return pair;
  const { localContext: local, remoteContext: remote } = session;
  const supported =
    local.profile === ProtectionProfileAeadAes128Gcm ||
    local.profile === ProtectionProfileAes128CmHmacSha1_80;
  pair = supported
    ? {
        local: contextOf(datapath, local, protocol),
        remote: contextOf(datapath, remote, protocol),
        tagLength: local.profile === ProtectionProfileAeadAes128Gcm ? 16 : 10,
      }
    : null;
  pairs.set(session, pair);
  return pair;
}

function contextOf(
  datapath: NativeDatapath,
  keys: WeriftSrtpContextKeys,
  protocol: 'srtp' | 'srtcp',
): NativeSrtpContext {
  const gcm = keys.profile === ProtectionProfileAeadAes128Gcm;
  const srtp = protocol === 'srtp';
  const salt = srtp ? keys.srtpSessionSalt : keys.srtcpSessionSalt;
  return datapath.createSrtpContext(
    keys.profile,
    srtp ? keys.srtpSessionKey : keys.srtcpSessionKey,
    // AES-GCM uses the first 12 bytes of the 14 werift derives (RFC 7714 §12).
    gcm ? salt.subarray(0, 12) : salt,
    gcm ? null : srtp ? keys.srtpSessionAuthTag : keys.srtcpSessionAuthTag,
  );
}
