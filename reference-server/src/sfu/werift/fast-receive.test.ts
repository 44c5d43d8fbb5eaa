import { describe, expect, it } from 'vitest';
import { type RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { FastRtpRouting, fastRoutingCounters } from './fast-receive.js';

/**
 * werift's router and receiver reduced to the fields the fast path reads, wired the way werift wires
 * them: its `routeRtp` registers the receiver, creates the statistics and hands the track a clone.
 */
function weriftShapes(options: { kind?: 'audio' | 'video'; twcc?: boolean; nack?: boolean } = {}) {
  const delivered: RtpPacket[] = [];
  const counted: number[] = [];
  const nacked: number[] = [];
  let rtcpStarts = 0;
  const track = {
    kind: options.kind ?? 'video',
    stopped: false,
    onReceiveRtp: { execute: (packet: RtpPacket) => delivered.push(packet) },
  };
  const receiver = {
    stopped: false,
    rtcpRunning: false,
    codecs: { 96: { name: 'VP8' }, 97: { name: 'rtx' }, 98: { name: 'red' } } as Record<
      number,
      { name: string }
    >,
    trackBySSRC: {} as Record<number, typeof track>,
    remoteStreams: {} as Record<number, { add(packet: RtpPacket): void }>,
    nack: { addPacket: (packet: RtpPacket) => nacked.push(packet.header.sequenceNumber) },
    nackEnabled: options.nack ?? true,
    twccEnabled: options.twcc ?? false,
    runRtcp: async () => {
      rtcpStarts++;
      receiver.rtcpRunning = true;
    },
  };
  const weriftRouted: RtpPacket[] = [];
  const router = {
    ssrcTable: {} as Record<number, unknown>,
    routeRtp: (packet: RtpPacket) => {
      weriftRouted.push(packet);
      const { ssrc, payloadType } = packet.header;
      if (payloadType !== 96) return; // werift's own RTX/RED handling, not modelled
      router.ssrcTable[ssrc] = receiver;
      receiver.trackBySSRC[ssrc] = track;
      receiver.remoteStreams[ssrc] ??= { add: (p) => counted.push(p.header.sequenceNumber) };
      receiver.remoteStreams[ssrc].add(packet);
      track.onReceiveRtp.execute(packet.clone());
    },
  };
  const pc = { router } as unknown as RTCPeerConnection;
  return {
    pc,
    router,
    receiver,
    track,
    delivered,
    counted,
    nacked,
    weriftRouted,
    rtcpStarts: () => rtcpStarts,
  };
}

function packet(sequenceNumber: number, payloadType = 96, ssrc = 1111): RtpPacket {
  return new RtpPacket(
    new RtpHeader({ ssrc, payloadType, sequenceNumber, timestamp: 0 }),
    Buffer.from([1, 2]),
  );
}

describe('FastRtpRouting', () => {
  it('lets werift route an SSRC’s first packet, then delivers its packets itself with statistics, NACK and RTCP', () => {
    const shapes = weriftShapes();
    new FastRtpRouting(shapes.pc);
    const before = { ...fastRoutingCounters };
    for (let sequenceNumber = 1; sequenceNumber <= 5; sequenceNumber++)
      shapes.router.routeRtp(packet(sequenceNumber));
    expect(shapes.weriftRouted.map((p) => p.header.sequenceNumber)).toEqual([1]);
    expect(shapes.delivered.map((p) => p.header.sequenceNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(shapes.counted).toEqual([1, 2, 3, 4, 5]);
    // werift's own path adds to the NACK generator too; only the fast path's calls are modelled here.
    expect(shapes.nacked).toEqual([2, 3, 4, 5]);
    expect(shapes.rtcpStarts()).toBe(1);
    expect(fastRoutingCounters.fast - before.fast).toBe(4);
    expect(fastRoutingCounters.werift - before.werift).toBe(1);
  });

  it('leaves RTX, RED and unknown payload types, stopped receivers and tracks to werift', () => {
    const shapes = weriftShapes();
    new FastRtpRouting(shapes.pc);
    shapes.router.routeRtp(packet(1));
    shapes.router.routeRtp(packet(2, 97));
    shapes.router.routeRtp(packet(3, 98));
    shapes.router.routeRtp(packet(4, 100));
    shapes.receiver.stopped = true;
    shapes.router.routeRtp(packet(5));
    shapes.receiver.stopped = false;
    shapes.track.stopped = true;
    shapes.router.routeRtp(packet(6));
    expect(shapes.weriftRouted.map((p) => p.header.sequenceNumber)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never takes over a receiver with transport-cc, and does not feed NACK for audio or without NACK', () => {
    const twcc = weriftShapes({ twcc: true });
    new FastRtpRouting(twcc.pc);
    for (let sequenceNumber = 1; sequenceNumber <= 3; sequenceNumber++)
      twcc.router.routeRtp(packet(sequenceNumber));
    expect(twcc.weriftRouted).toHaveLength(3);

    for (const shapes of [weriftShapes({ kind: 'audio' }), weriftShapes({ nack: false })]) {
      new FastRtpRouting(shapes.pc);
      for (let sequenceNumber = 1; sequenceNumber <= 3; sequenceNumber++)
        shapes.router.routeRtp(packet(sequenceNumber));
      expect(shapes.weriftRouted).toHaveLength(1);
      expect(shapes.nacked).toEqual([]);
    }
  });

  it('after a reset, werift routes again until it has relearned the SSRC', () => {
    const shapes = weriftShapes();
    const routing = new FastRtpRouting(shapes.pc);
    shapes.router.routeRtp(packet(1));
    shapes.router.routeRtp(packet(2));
    routing.reset();
    shapes.router.routeRtp(packet(3));
    shapes.router.routeRtp(packet(4));
    expect(shapes.weriftRouted.map((p) => p.header.sequenceNumber)).toEqual([1, 3]);
  });

  it('keeps handing werift an SSRC it registers no track for (RTX)', () => {
    const shapes = weriftShapes();
    new FastRtpRouting(shapes.pc);
    // An SSRC werift routes without registering a track for it (as for RTX): nothing to learn.
    for (let sequenceNumber = 1; sequenceNumber <= 70; sequenceNumber++) {
      shapes.router.routeRtp(packet(sequenceNumber, 97, 2222));
    }
    expect(shapes.weriftRouted).toHaveLength(70);
    expect(shapes.delivered).toHaveLength(0);
  });
});
