/**
 * Larger kernel buffers on the SFU's UDP sockets. A worker that stalls (a DTLS handshake storm, a
 * garbage collection, a busy machine) longer than its sockets' receive buffers last loses datagrams
 * before any code sees them (`RcvbufErrors`); the default 208 KiB holds ≈ 1–2 s of one stream
 * (SFU-PROFILE.md, cause 3). The size is a ceiling, not an allocation: memory is only used while a
 * backlog exists. Linux caps the request at `net.core.rmem_max` / `wmem_max`.
 */
import type { Socket } from 'node:dgram';
import type { RTCPeerConnection } from 'werift';

/** What the SFU asks for on each socket, both directions: 4 MiB (≈ 30 s of a 1 Mbit/s stream). */
export const SFU_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Sockets already enlarged (a peer connection's sockets are visited after every negotiation). */
const done = new WeakSet<Socket>();

/**
 * The UDP sockets werift's ICE gathered for `pc`. werift keeps them private (ICE connection → STUN
 * protocols → UDP transport → socket), so this reads them structurally and skips anything unexpected.
 */
export function iceSockets(pc: RTCPeerConnection): Socket[] {
  const sockets: Socket[] = [];
  for (const ice of pc.iceTransports) {
    // `protocols` is private in werift's typings; read it structurally.
    const protocols: unknown = (ice.connection as unknown as { protocols?: unknown }).protocols;
    if (!Array.isArray(protocols)) continue;
    for (const protocol of protocols) {
      const socket: unknown = (protocol as { transport?: { socket?: unknown } } | undefined)?.transport
        ?.socket;
      if (isUdpSocket(socket)) sockets.push(socket);
    }
  }
  return sockets;
}

function isUdpSocket(value: unknown): value is Socket {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Socket).setRecvBufferSize === 'function' &&
    typeof (value as Socket).setSendBufferSize === 'function'
  );
}

/**
 * Raises the receive and send buffers of `pc`'s bound sockets to `bytes` (once per socket). Returns how
 * many sockets were changed. A socket that is closing or not yet bound is skipped: the next call
 * (after the next negotiation) retries it.
 */
export function enlargeSocketBuffers(pc: RTCPeerConnection, bytes = SFU_SOCKET_BUFFER_BYTES): number {
  let changed = 0;
  for (const socket of iceSockets(pc)) {
    if (done.has(socket)) continue;
    try {
      socket.setRecvBufferSize(bytes);
      socket.setSendBufferSize(bytes);
    } catch {
      // ERR_SOCKET_BUFFER_SIZE: not bound yet or already closed.
      continue;
    }
    done.add(socket);
    changed++;
  }
  return changed;
}
