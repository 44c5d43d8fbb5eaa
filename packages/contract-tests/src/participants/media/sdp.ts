/**
 * The little SDP reading the participant needs to check what arrives against what was negotiated: per
 * m-section its kind, MID, payload types and declared SSRCs.
 */

/** One m-section of an SDP. */
export interface MediaSection {
  kind: string;
  mid: string | null;
  /** Payload types in the order of the m-line (the first is the preferred codec). */
  payloadTypes: number[];
  /** `a=rtpmap` names by payload type, e.g. `VP8/90000`. */
  rtpmap: Map<number, string>;
  /** SSRCs declared with `a=ssrc:` (the sender's primary and RTX SSRCs). */
  ssrcs: number[];
  direction: string | null;
}

/** Parses the m-sections of an SDP. */
export function mediaSections(sdp: string): MediaSection[] {
  const sections: MediaSection[] = [];
  let current: MediaSection | null = null;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const [kind = '', , , ...formats] = line.slice(2).split(' ');
      current = {
        kind,
        mid: null,
        payloadTypes: formats.map(Number).filter((n) => Number.isInteger(n)),
        rtpmap: new Map(),
        ssrcs: [],
        direction: null,
      };
      sections.push(current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('a=mid:')) current.mid = line.slice('a=mid:'.length).trim();
    else if (line.startsWith('a=rtpmap:')) {
      const [pt = '', name = ''] = line.slice('a=rtpmap:'.length).split(' ');
      current.rtpmap.set(Number(pt), name);
    } else if (line.startsWith('a=ssrc:')) {
      const ssrc = Number(line.slice('a=ssrc:'.length).split(' ')[0]);
      if (Number.isInteger(ssrc) && !current.ssrcs.includes(ssrc)) current.ssrcs.push(ssrc);
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) current.direction = line.slice(2);
  }
  return sections;
}
