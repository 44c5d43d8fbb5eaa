import { describe, expect, it } from 'vitest';
import { buildRaptorUri, parseRaptorUri, sessionTopic } from './uri.js';

const base = '/v2/partner/47123456/session/2_MX4xfg';

describe('Raptor URIs', () => {
  it.each([
    ['', 'session', {}],
    ['/connection/c1', 'connection', { connection: 'c1' }],
    ['/stream/s1', 'stream', { stream: 's1' }],
    ['/stream/s1/channel/video1', 'stream_channel', { stream: 's1', channel: 'video1' }],
    ['/stream/s1/subscriber/u1', 'subscriber', { stream: 's1', subscriber: 'u1' }],
    [
      '/stream/s1/subscriber/u1/channel/audio1',
      'subscriber_channel',
      { stream: 's1', subscriber: 'u1', channel: 'audio1' },
    ],
    ['/signal/g1', 'signal', { signal: 'g1' }],
    ['/connection/c2/signal/g1', 'signal', { connection: 'c2', signal: 'g1' }],
    ['/archive/a1', 'archive', { archive: 'a1' }],
    [
      '/stream/s1/channel/downlinkStats1/data/d1',
      'data',
      { stream: 's1', channel: 'downlinkStats1', data: 'd1' },
    ],
  ])('parses %s as a %s', (suffix, resource, params) => {
    const parsed = parseRaptorUri(base + suffix);
    expect(parsed).toMatchObject({ partner: '47123456', session: '2_MX4xfg', resource, params });
  });

  it.each([
    ['a wrong version', '/v1/partner/k/session/s'],
    ['a missing session', '/v2/partner/k'],
    ['an unknown key', `${base}/widget/w1`],
    ['a key without an ID', `${base}/stream`],
    ['an empty ID', `${base}/stream//channel/x`],
    ['a repeated key', `${base}/stream/a/stream/b`],
    ['a query string in an ID', `${base}/stream/a?x=1`],
    ['an ID over 255 characters', `${base}/stream/${'a'.repeat(256)}`],
  ])('rejects a URI with %s', (_name, uri) => {
    expect(parseRaptorUri(uri)).toBeNull();
  });

  it('builds URIs and topics that parse back', () => {
    const uri = buildRaptorUri('k', 's', ['stream', 'x'], ['subscriber', 'y']);
    expect(uri).toBe('/v2/partner/k/session/s/stream/x/subscriber/y');
    expect(parseRaptorUri(uri)?.resource).toBe('subscriber');
    expect(sessionTopic('k', 's')).toBe('/v2/partner/k/session/s');
  });
});
