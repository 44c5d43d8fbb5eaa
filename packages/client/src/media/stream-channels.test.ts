import { describe, expect, it } from 'vitest';
import { asMediaStream, FakeStream, FakeTrack } from '../testing/fake-media.js';
import { streamChannels } from './stream-channels.js';

const on = { publishAudio: true, publishVideo: true, publishCaptions: false };

describe('streamChannels', () => {
  it('announces video, audio and the caption channel as OpenTok.js does', () => {
    const stream = asMediaStream(new FakeStream([new FakeTrack('video'), new FakeTrack('audio')]));
    expect(streamChannels(stream, {}, on)).toEqual([
      {
        id: 'video1',
        type: 'video',
        active: true,
        width: 640,
        height: 480,
        orientation: 0,
        frameRate: 30,
        source: 'camera',
        fitMode: 'cover',
      },
      { id: 'audio1', type: 'audio', active: true },
      { id: 'caption1', type: 'data', active: false },
    ]);
  });

  it('turns caption1 on with publishCaptions, and keeps it when there is no microphone', () => {
    const audioOnly = asMediaStream(new FakeStream([new FakeTrack('audio')]));
    expect(streamChannels(audioOnly, {}, { ...on, publishAudio: false, publishCaptions: true })).toEqual([
      { id: 'audio1', type: 'audio', active: false },
      { id: 'caption1', type: 'data', active: true },
    ]);
    const screen = asMediaStream(new FakeStream([new FakeTrack('video')]));
    expect(streamChannels(screen, { videoSource: 'screen' }, { ...on, publishCaptions: true })).toEqual([
      expect.objectContaining({ id: 'video1', source: 'screen', fitMode: 'contain' }),
      { id: 'caption1', type: 'data', active: true },
    ]);
  });
});
