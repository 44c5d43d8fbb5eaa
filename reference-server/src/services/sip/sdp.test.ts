import { describe, expect, it } from 'vitest';
import {
  buildOffer,
  OPUS_PAYLOAD_TYPE,
  parseAnswer,
  SdpError,
  TELEPHONE_EVENT_48K_PAYLOAD_TYPE,
  TELEPHONE_EVENT_PAYLOAD_TYPE,
} from './sdp.js';

const answer = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

describe('SDP', () => {
  it('offers Opus, PCMU, PCMA and telephone-event at both rates on the RTP address', () => {
    const sdp = buildOffer({ address: '192.0.2.10', port: 40_000, sessionId: '17', version: 1 });
    expect(sdp).toContain('c=IN IP4 192.0.2.10\r\n');
    expect(sdp).toContain(
      `m=audio 40000 RTP/AVP ${OPUS_PAYLOAD_TYPE} 0 8 ${TELEPHONE_EVENT_PAYLOAD_TYPE} ${TELEPHONE_EVENT_48K_PAYLOAD_TYPE}\r\n`,
    );
    expect(sdp).toContain(`a=rtpmap:${OPUS_PAYLOAD_TYPE} opus/48000/2\r\n`);
    expect(sdp).toContain(`a=rtpmap:${TELEPHONE_EVENT_PAYLOAD_TYPE} telephone-event/8000\r\n`);
    expect(sdp).toContain(`a=rtpmap:${TELEPHONE_EVENT_48K_PAYLOAD_TYPE} telephone-event/48000\r\n`);
    expect(buildOffer({ address: '2001:db8::1', port: 1, sessionId: '1', version: 2 })).toContain(
      'c=IN IP6 2001:db8::1',
    );
  });

  it('reads the callee address, its first offered G.711 law and its telephone-event type', () => {
    const media = parseAnswer(
      answer([
        'v=0',
        'o=- 1 1 IN IP4 203.0.113.5',
        's=-',
        'c=IN IP4 203.0.113.5',
        't=0 0',
        'm=audio 30000 RTP/AVP 8 0 96',
        'c=IN IP4 203.0.113.9',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=sendrecv',
        'm=video 0 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'a=inactive',
      ]),
    );
    expect(media).toEqual({
      address: '203.0.113.9',
      port: 30_000,
      codec: 'pcma',
      payloadType: 8,
      clockRate: 8000,
      telephoneEvent: 96,
      direction: 'sendrecv',
    });
  });

  it('takes Opus at 48 kHz with the telephone-event of the same clock', () => {
    const media = parseAnswer(
      answer([
        'v=0',
        'c=IN IP4 203.0.113.5',
        'm=audio 30000 RTP/AVP 109 101 102',
        'a=rtpmap:109 OPUS/48000/2',
        'a=rtpmap:101 telephone-event/8000',
        'a=rtpmap:102 telephone-event/48000',
      ]),
    );
    expect(media).toMatchObject({ codec: 'opus', payloadType: 109, clockRate: 48_000, telephoneEvent: 102 });
  });

  it('takes static payload types without rtpmap, a session-level direction, and no telephone-event', () => {
    const media = parseAnswer(
      answer(['v=0', 'c=IN IP4 198.51.100.1', 'a=sendonly', 'm=audio 5004 RTP/AVP 0']),
    );
    expect(media).toMatchObject({
      codec: 'pcmu',
      payloadType: 0,
      telephoneEvent: null,
      direction: 'sendonly',
    });
  });

  it('refuses answers it cannot use, saying why', () => {
    expect(() => parseAnswer(answer(['v=0', 'c=IN IP4 1.2.3.4']))).toThrow(SdpError);
    expect(() => parseAnswer(answer(['v=0', 'c=IN IP4 1.2.3.4', 'm=audio 0 RTP/AVP 0']))).toThrow(/rejected/);
    expect(() =>
      parseAnswer(answer(['v=0', 'c=IN IP4 1.2.3.4', 'm=audio 5 RTP/AVP 9', 'a=rtpmap:9 G722/8000'])),
    ).toThrow(/Opus, PCMU or PCMA/);
    expect(() => parseAnswer(answer(['v=0', 'm=audio 5 RTP/AVP 0']))).toThrow(/connection address/);
  });
});
