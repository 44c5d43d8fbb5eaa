/**
 * RTCP the engine originates toward publishers: REMB (how much the publisher may send) and keyframe
 * requests (PLI).
 */
import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback } from 'werift';

/**
 * Decides the bitrate the engine announces to one publisher track in REMB. The engine's implementation
 * is `SubscriberFeedbackEstimator` (`bitrate-estimator.ts`), fed by the subscribers' REMB, receiver
 * reports and NACKs.
 */
export interface PublisherBitrateEstimator {
  /** The bitrate, in bits per second, to announce now. */
  currentBitrate(): number;
}

/** REMB carries the bitrate as an 18-bit mantissa and a 6-bit exponent. */
const MANTISSA_MAX = 0x3ffff;

/** Splits a bitrate into REMB's exponent and mantissa (rounding down, never above the input). */
export function encodeRembBitrate(bitrate: number): { exponent: number; mantissa: number } {
  let mantissa = Math.max(0, Math.floor(bitrate));
  let exponent = 0;
  while (mantissa > MANTISSA_MAX) {
    mantissa = Math.floor(mantissa / 2);
    exponent++;
  }
  return { exponent, mantissa };
}

/** Builds a REMB packet announcing `bitrate` for the given media SSRCs. */
export function buildRemb(senderSsrc: number, mediaSsrcs: readonly number[], bitrate: number) {
  const { exponent, mantissa } = encodeRembBitrate(bitrate);
  return new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({
      senderSsrc,
      mediaSsrc: 0,
      ssrcNum: mediaSsrcs.length,
      brExp: exponent,
      brMantissa: mantissa,
      bitrate: BigInt(mantissa) << BigInt(exponent),
      ssrcFeedbacks: [...mediaSsrcs],
    }),
  });
}
