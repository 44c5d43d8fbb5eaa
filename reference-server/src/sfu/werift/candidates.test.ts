import { describe, expect, it } from 'vitest';
import { CandidatePolicy, isMdnsCandidate, parseCandidate, withoutMdnsCandidates } from './candidates.js';

const host = (ip: string, port = 5000) => `candidate:1 1 udp 2130706431 ${ip} ${port} typ host generation 0`;

describe('CandidatePolicy', () => {
  it('keeps host candidates on the listen addresses and drops the others', () => {
    const policy = new CandidatePolicy(['127.0.0.1'], undefined);
    expect(policy.rewrite(host('127.0.0.1'))).toBe(host('127.0.0.1'));
    expect(policy.rewrite(host('10.1.2.3'))).toBeNull();
    expect(
      policy.rewrite('candidate:2 1 udp 1 198.51.100.1 6000 typ srflx raddr 0.0.0.0 rport 0'),
    ).toBeNull();
    expect(policy.rewrite('garbage')).toBeNull();
  });

  it('substitutes the announced address and dedupes in SDP', () => {
    const policy = new CandidatePolicy(['0.0.0.0'], '203.0.113.7');
    expect(policy.rewrite(host('10.1.2.3'))).toBe(host('203.0.113.7'));
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 96',
      `a=${host('10.1.2.3')}`,
      `a=${host('172.17.0.1')}`,
      '',
    ].join('\r\n');
    expect(policy.rewriteSdp(sdp).split('\r\n')).toEqual([
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 96',
      `a=${host('203.0.113.7')}`,
      '',
    ]);
  });

  it('parses the fields it filters on', () => {
    expect(parseCandidate(`a=${host('127.0.0.1', 1234)}`)).toMatchObject({
      address: '127.0.0.1',
      port: 1234,
      type: 'host',
    });
  });
});

describe('mDNS remote candidates', () => {
  const mdns = host('5d3c1e2a-7f4b-4c1d-9e2f-0a1b2c3d4e5f.local');

  it('recognises mDNS hostnames, with or without the a= prefix, and nothing else', () => {
    expect(isMdnsCandidate(mdns)).toBe(true);
    expect(isMdnsCandidate(`a=${mdns.toUpperCase().replace('CANDIDATE', 'candidate')}`)).toBe(true);
    expect(isMdnsCandidate(host('127.0.0.1'))).toBe(false);
    expect(isMdnsCandidate(host('local.example.com'))).toBe(false);
    expect(isMdnsCandidate('garbage')).toBe(false);
  });

  it('strips only the mDNS candidate lines from an SDP, keeping its line endings', () => {
    const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 96', `a=${mdns}`, `a=${host('127.0.0.1')}`, ''].join(
      '\r\n',
    );
    expect(withoutMdnsCandidates(sdp)).toBe(
      ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 96', `a=${host('127.0.0.1')}`, ''].join('\r\n'),
    );
    const plain = ['v=0', `a=${host('127.0.0.1')}`, ''].join('\n');
    expect(withoutMdnsCandidates(plain)).toBe(plain);
  });
});
