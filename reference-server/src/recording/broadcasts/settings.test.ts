import { describe, expect, it } from 'vitest';
import { RecordingError } from '../errors.js';
import { normalizeLayout, normalizeStartParams, rtmpUrl } from './settings.js';

const base = { sessionId: 's1', outputs: { hls: {} } };

function errorOf(run: () => unknown): RecordingError {
  try {
    run();
  } catch (error) {
    if (error instanceof RecordingError) return error;
    throw error;
  }
  throw new Error('expected a RecordingError');
}

describe('normalizeStartParams', () => {
  it('fills the defaults of the spec', () => {
    expect(normalizeStartParams(base)).toEqual({
      sessionId: 's1',
      hls: { dvr: false, lowLatency: false },
      rtmp: [],
      maxDuration: 14_400,
      maxBitrate: undefined,
      resolution: '640x480',
      layout: { type: 'bestFit' },
      streamMode: 'auto',
      multiBroadcastTag: undefined,
      hasAudio: true,
      hasVideo: true,
    });
  });

  it('assigns free IDs to RTMP targets without one (absent or null) and keeps given ones', () => {
    const { rtmp } = normalizeStartParams({
      sessionId: 's1',
      outputs: {
        rtmp: [
          { serverUrl: 'rtmp://a/app', streamName: 'k1' },
          { id: 'rtmp1', serverUrl: 'rtmps://b/app/', streamName: 'k2' },
          { id: null, serverUrl: 'rtmp://c', streamName: 'k3' },
        ],
      },
    });
    expect(rtmp.map((t) => [t.id, t.status])).toEqual([
      ['rtmp2', 'connecting'],
      ['rtmp1', 'connecting'],
      ['rtmp3', 'connecting'],
    ]);
    expect(rtmp.map(rtmpUrl)).toEqual(['rtmp://a/app/k1', 'rtmps://b/app/k2', 'rtmp://c/k3']);
  });

  it.each([
    [{ outputs: {} }, 40001, 'body.outputs must have an hls output or at least one rtmp target'],
    [{ outputs: { rtmp: [] } }, 40001, 'body.outputs must have'],
    [
      { outputs: { hls: { dvr: true, lowLatency: true } } },
      40001,
      'body.outputs.hls.dvr and body.outputs.hls.lowLatency',
    ],
    [
      {
        outputs: {
          rtmp: Array.from({ length: 6 }, (_, i) => ({ serverUrl: 'rtmp://h/a', streamName: `k${i}` })),
        },
      },
      40001,
      'body.outputs.rtmp must NOT have more than 5 items',
    ],
    [
      {
        outputs: {
          rtmp: [
            { id: 'x', serverUrl: 'rtmp://h/a', streamName: 'a' },
            { id: 'x', serverUrl: 'rtmp://h/a', streamName: 'b' },
          ],
        },
      },
      40001,
      'body.outputs.rtmp[1].id repeats x',
    ],
    [
      { outputs: { rtmp: [{ serverUrl: 'http://h/a', streamName: 'a' }] } },
      40001,
      'body.outputs.rtmp[0].serverUrl',
    ],
    [
      { outputs: { rtmp: [{ serverUrl: 'rtmp://h/a', streamName: 'a b' }] } },
      40001,
      'body.outputs.rtmp[0].streamName',
    ],
    [{ maxDuration: 59 }, 40001, 'body.maxDuration'],
    [{ maxDuration: 36_001 }, 40001, 'body.maxDuration'],
    [{ maxBitrate: 99_999 }, 40001, 'body.maxBitrate'],
    [{ hasAudio: false, hasVideo: false }, 40001, 'body.hasAudio and body.hasVideo cannot both be false'],
    [{ layout: 'custom' }, 40022, 'body.layout.type custom is not supported by this server'],
    [{ layout: { type: 'pip', screenshareType: 'bestFit' } }, 40001, 'body.layout.type must be bestFit'],
  ] as const)('refuses %j with %i naming the field', (change, code, message) => {
    const error = errorOf(() =>
      normalizeStartParams({ ...base, ...change } as Parameters<typeof normalizeStartParams>[0]),
    );
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

describe('normalizeLayout', () => {
  it('turns a bare type into a layout object, as @vonage/video sends it', () => {
    expect(normalizeLayout('pip', 'body.layout')).toEqual({ type: 'pip' });
    expect(normalizeLayout({ type: 'bestFit', screenshareType: 'pip' }, 'body')).toEqual({
      type: 'bestFit',
      screenshareType: 'pip',
    });
  });
});
