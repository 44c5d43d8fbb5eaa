import { describe, expect, it } from 'vitest';
import { SfuError } from './errors.js';
import { resolveSfuEngineOptions } from './options.js';

describe('resolveSfuEngineOptions', () => {
  it('defaults to loopback only, no ICE servers, 2 Mbps REMB and simulcast', () => {
    expect(resolveSfuEngineOptions()).toEqual({
      listenIps: ['127.0.0.1'],
      announcedAddress: undefined,
      portRange: undefined,
      iceServers: [],
      publisherMaxBitrate: 2_000_000,
      simulcast: false,
      datapath: 'auto',
      sharedPort: true,
    });
    expect(resolveSfuEngineOptions({ sharedPort: false }).sharedPort).toBe(false);
    expect(() => resolveSfuEngineOptions({ sharedPort: 'yes' as never })).toThrow(
      /sharedPort must be a boolean/,
    );
    expect(resolveSfuEngineOptions({ simulcast: true }).simulcast).toBe(true);
    expect(() => resolveSfuEngineOptions({ simulcast: 'yes' as never })).toThrow(
      /simulcast must be a boolean/,
    );
  });
  it('takes a datapath of auto, native or javascript, and names the field otherwise', () => {
    expect(resolveSfuEngineOptions({ datapath: 'javascript' }).datapath).toBe('javascript');
    expect(resolveSfuEngineOptions({ datapath: 'native' }).datapath).toBe('native');
    expect(() => resolveSfuEngineOptions({ datapath: 'fast' as never })).toThrow(
      /datapath must be one of auto, native, javascript, got "fast"/,
    );
  });

  it('keeps a valid deployment configuration', () => {
    const resolved = resolveSfuEngineOptions({
      listenIps: ['0.0.0.0'],
      announcedAddress: '203.0.113.7',
      portRange: { min: 40000, max: 40100 },
      iceServers: [{ urls: ['turn:turn.example.com:3478'], username: 'u', credential: 'p' }],
    });
    expect(resolved.announcedAddress).toBe('203.0.113.7');
    expect(resolved.portRange).toEqual({ min: 40000, max: 40100 });
    expect(resolved.iceServers).toHaveLength(1);
  });

  it.each([
    [{ listenIps: [] }, /listenIps must be a non-empty array/],
    [{ listenIps: ['127.0.0.1', 'localhost'] }, /listenIps\[1\] must be an IPv4 address/],
    [{ listenIps: ['0.0.0.0', '10.0.0.1'] }, /must not mix 0\.0\.0\.0/],
    [{ announcedAddress: 'example.com' }, /announcedAddress must be an IPv4 address/],
    [{ portRange: { min: 80, max: 90 } }, /portRange\.min/],
    [{ portRange: { min: 40000, max: 40000 } }, /portRange\.max/],
    [{ iceServers: [{ urls: 'http://x' }] }, /iceServers\[0\]\.urls/],
    [{ iceServers: [{ urls: 'turn:x:3478' }] }, /iceServers\[0\] is a TURN server/],
    [{ publisherMaxBitrate: 5 }, /publisherMaxBitrate/],
  ])('rejects %j naming the field', (options, message) => {
    const attempt = () => resolveSfuEngineOptions(options as never);
    expect(attempt).toThrow(SfuError);
    expect(attempt).toThrow(message);
  });
});
