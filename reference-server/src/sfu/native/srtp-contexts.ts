/**
 * The addon's SRTP contexts for a werift SRTP session: made once per session from the session keys
 * werift derived from DTLS (never derived twice, never copied into JavaScript strings), kept in a
 * WeakMap so they live exactly as long as werift's session object — a DTLS re-key creates a new werift
 * session, and so new contexts.
 */
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80 } from 'werift';
import type { NativeDatapath, NativeSrtpContext } from './datapath.js';

/** The fields of werift's SRTP context (`SrtpContext`) this reads: plain properties at run time. */
interface WeriftSrtpContextKeys {
  profile: number;
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  srtpSessionAuthTag: Buffer;
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

/** The native contexts of `session`, or null when its profile is not one the addon implements. */
export function nativeSrtpFor(datapath: NativeDatapath, session: WeriftSrtpSession): NativeSrtpPair | null {
  let pair = pairs.get(session);
  if (pair !== undefined) return pair;
  const { localContext: local, remoteContext: remote } = session;
  const supported =
    local.profile === ProtectionProfileAeadAes128Gcm ||
    local.profile === ProtectionProfileAes128CmHmacSha1_80;
  pair = supported
    ? {
        local: contextOf(datapath, local),
        remote: contextOf(datapath, remote),
        tagLength: local.profile === ProtectionProfileAeadAes128Gcm ? 16 : 10,
      }
    : null;
  pairs.set(session, pair);
  return pair;
}

function contextOf(datapath: NativeDatapath, keys: WeriftSrtpContextKeys): NativeSrtpContext {
  const gcm = keys.profile === ProtectionProfileAeadAes128Gcm;
  return datapath.createSrtpContext(
    keys.profile,
    keys.srtpSessionKey,
    // AES-GCM uses the first 12 bytes of the 14 werift derives (RFC 7714 §12).
    gcm ? keys.srtpSessionSalt.subarray(0, 12) : keys.srtpSessionSalt,
    gcm ? null : keys.srtpSessionAuthTag,
  );
}
