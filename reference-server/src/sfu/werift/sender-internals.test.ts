/**
 * Guards the werift internals the NACK responder relies on: if an upgrade renames them, this fails
 * instead of retransmissions silently going wrong.
 */
import { describe, expect, it } from 'vitest';
import {
  GenericNack,
  PictureLossIndication,
  RTCRtpSender,
  RtcpPayloadSpecificFeedback,
  RtcpTransportLayerFeedback,
} from 'werift';
import { SenderInternals } from './sender-internals.js';

describe('SenderInternals', () => {
  it('reads the sender’s rewriting state', () => {
    const sender = new RTCRtpSender('video');
    const internals = new SenderInternals(sender);
    expect(internals.seqOffset).toBe(0);
    expect(internals.timestampOffset).toBe(0);
    expect(internals.ssrc).toBe(sender.ssrc);
    expect(internals.rtx).toBeUndefined();
    expect(internals.midExtensionId).toBeUndefined();
    expect(internals.payloadType).toBeUndefined();
  });

  it('takes NACKs away from werift’s handler and passes every other RTCP packet on', () => {
    const sender = new RTCRtpSender('video');
    const internals = new SenderInternals(sender);
    const ours: number[][] = [];
    const listeners: number[][] = [];
    let plis = 0;
    sender.onGenericNack.subscribe((nack) => listeners.push(nack.lost));
    sender.onPictureLossIndication.subscribe(() => plis++);
    const restore = internals.interceptNacks((nack) => ours.push(nack.lost));

    const nack = new RtcpTransportLayerFeedback({
      feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: sender.ssrc, lost: [5, 6] }),
    });
    sender.handleRtcpPacket(nack);
    expect(ours).toEqual([[5, 6]]);
    expect(listeners).toEqual([[5, 6]]);
    const pli = new RtcpPayloadSpecificFeedback({
      feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: sender.ssrc }),
    });
    sender.handleRtcpPacket(pli);
    expect(plis).toBe(1);

    restore();
    sender.handleRtcpPacket(nack);
    expect(ours).toHaveLength(1); // werift's own handler again
    expect(listeners).toHaveLength(2);
  });
});
