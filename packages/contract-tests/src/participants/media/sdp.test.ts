import { describe, expect, it } from 'vitest';
import { mediaSections } from './sdp.js';
import { emptyReceivedTrack, negotiationMismatches } from './stats.js';

const SDP = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=sendonly',
  'a=rtpmap:111 opus/48000/2',
  'a=ssrc:1234 cname:x',
  'a=ssrc:1234 msid:a b',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'a=mid:1',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  '',
].join('\r\n');

describe('mediaSections', () => {
  it('reads kind, MID, payload types, rtpmap, declared SSRCs and direction per m-section', () => {
    const [audio, video] = mediaSections(SDP);
    expect(audio).toMatchObject({
      kind: 'audio',
      mid: '0',
      payloadTypes: [111],
      ssrcs: [1234],
      direction: 'sendonly',
    });
    expect(audio?.rtpmap.get(111)).toBe('opus/48000/2');
    expect(video).toMatchObject({
      kind: 'video',
      mid: '1',
      payloadTypes: [96, 97],
      ssrcs: [],
      direction: 'recvonly',
    });
  });
});

describe('negotiationMismatches', () => {
  const negotiated = { payloadType: 96, codec: 'VP8/90000', payloadTypes: [96, 97], ssrcs: [5] };

  it('accepts packets with negotiated payload types and declared SSRCs', () => {
    const track = { ...emptyReceivedTrack('video'), payloadTypes: [96], ssrcs: [5], negotiated };
    expect(negotiationMismatches(track)).toEqual([]);
  });

  it('names a payload type the answer did not allow and an SSRC the offer did not declare', () => {
    const track = { ...emptyReceivedTrack('video'), payloadTypes: [96, 100], ssrcs: [5, 6], negotiated };
    expect(negotiationMismatches(track)).toEqual([
      'video: payload types 100 arrived, but the answer allows 96, 97',
      'video: SSRCs 6 arrived, but the offer declared 5',
    ]);
  });

  it('does not judge SSRCs when the offer declared none', () => {
    const track = {
      ...emptyReceivedTrack('audio'),
      payloadTypes: [111],
      ssrcs: [9],
      negotiated: { ...negotiated, payloadTypes: [111], ssrcs: [] },
    };
    expect(negotiationMismatches(track)).toEqual([]);
  });
});
