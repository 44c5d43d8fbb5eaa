import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveSfuEngineOptions } from '../options.js';
import { publisherCodecs } from './codecs.js';
import { PeerLeg } from './peer-leg.js';
import { enlargeSocketBuffers, iceSockets, SFU_SOCKET_BUFFER_BYTES } from './socket-buffers.js';

/** The kernel's ceiling for a requested buffer size (Linux), or undefined elsewhere. */
function kernelMax(name: 'rmem_max' | 'wmem_max'): number | undefined {
  try {
    return Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8'));
  } catch {
    return undefined;
  }
}

describe('SFU socket buffers', () => {
  it('enlarges the receive and send buffers of every socket a leg gathered, once', async () => {
    const leg = new PeerLeg(resolveSfuEngineOptions({ listenIps: ['127.0.0.1'] }), publisherCodecs(), {
      localCandidate: () => undefined,
      stateChange: () => undefined,
    });
    try {
      leg.pc.addTransceiver('video', { direction: 'sendonly' });
      expect(iceSockets(leg.pc)).toHaveLength(0);
      await leg.offer(false);
      const sockets = iceSockets(leg.pc);
      expect(sockets.length).toBeGreaterThan(0);
      const rmem = kernelMax('rmem_max');
      const wmem = kernelMax('wmem_max');
      for (const socket of sockets) {
        // Linux grants min(request, max) and reports it doubled (bookkeeping overhead).
        if (rmem !== undefined)
          expect(socket.getRecvBufferSize()).toBe(2 * Math.min(SFU_SOCKET_BUFFER_BYTES, rmem));
        else expect(socket.getRecvBufferSize()).toBeGreaterThanOrEqual(SFU_SOCKET_BUFFER_BYTES);
        if (wmem !== undefined)
          expect(socket.getSendBufferSize()).toBe(2 * Math.min(SFU_SOCKET_BUFFER_BYTES, wmem));
      }
      // Already done: a renegotiation does not touch them again.
      expect(enlargeSocketBuffers(leg.pc)).toBe(0);
    } finally {
      leg.close();
    }
  });
});
