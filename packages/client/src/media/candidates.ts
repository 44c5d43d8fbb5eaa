/** Converts between the protocol's `candidate` content and `RTCIceCandidateInit`. */

/** Reads a `candidate` message's content (extra negotiation keys are ignored). */
export function toCandidate(content: Record<string, unknown>): RTCIceCandidateInit {
  const candidate: RTCIceCandidateInit = { candidate: String(content.candidate ?? '') };
  if (typeof content.sdpMid === 'string') candidate.sdpMid = content.sdpMid;
  if (typeof content.sdpMLineIndex === 'number') candidate.sdpMLineIndex = content.sdpMLineIndex;
  return candidate;
}
