import { describe, expect, it } from 'vitest';
import { RtpHeader } from 'werift';
import { buildHeaderTemplate } from './rtp-egress.js';

describe('buildHeaderTemplate', () => {
  it('is a bare 12-byte version-2 header without a MID', () => {
    const header = buildHeaderTemplate(undefined);
    expect(header).toHaveLength(12);
    expect(header[0]).toBe(0x80);
  });

  it('carries the MID as an RFC 8285 one-byte extension that werift parses back', () => {
    for (const mid of ['0', '1', 'abc', 'video-1', '0123456789abcdef']) {
      const template = buildHeaderTemplate({ id: 9, mid });
      expect(template.length % 4).toBe(0);
      // Payload type, sequence number, timestamp and SSRC are written per packet.
      template[1] = 96;
      template.writeUInt16BE(513, 2);
      template.writeUInt32BE(90_000, 4);
      template.writeUInt32BE(0xdeadbeef, 8);
      const parsed = RtpHeader.deSerialize(Buffer.concat([template, Buffer.from([1, 2, 3])]));
      expect(parsed).toMatchObject({ version: 2, payloadType: 96, sequenceNumber: 513, timestamp: 90_000 });
      expect(parsed.ssrc).toBe(0xdeadbeef);
      expect(parsed.payloadOffset).toBe(template.length);
      expect(parsed.extensions).toEqual([{ id: 9, payload: Buffer.from(mid) }]);
    }
  });

  it('rejects what a one-byte extension cannot carry', () => {
    expect(() => buildHeaderTemplate({ id: 15, mid: '0' })).toThrow(RangeError);
    expect(() => buildHeaderTemplate({ id: 1, mid: '' })).toThrow(RangeError);
    expect(() => buildHeaderTemplate({ id: 1, mid: 'x'.repeat(17) })).toThrow(RangeError);
  });
});
