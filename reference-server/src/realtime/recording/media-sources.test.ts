/**
 * The media sources of live routed sessions over a real werift engine on 127.0.0.1: werift publishers
 * negotiate through the session's routed media, and the source reports streams, their changes and their
 * RTP the way the recording pipeline consumes them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSource, SourceStream } from '../../recording/media-source.js';
import { WeriftEngine } from '../../sfu/werift/engine.js';
import { PUBLISHER_PAYLOAD_TYPES } from '../../sfu/werift/testing/werift-clients.js';
import { WorkerPoolEngine } from '../../sfu/workers/pool-engine.js';
import { LiveMediaSources } from './media-sources.js';
import { RoutedSessionHarness, until } from './testing/routed-session.js';

let engine: WeriftEngine;
let harness: RoutedSessionHarness;
let sources: LiveMediaSources;

beforeAll(() => {
  engine = new WeriftEngine();
  harness = new RoutedSessionHarness(engine);
  sources = new LiveMediaSources(harness.registry, { lingerMs: 300 });
});
afterAll(async () => {
  sources.close();
  await harness.close();
  engine.close();
});

/** Records a source's events as readable strings. */
function record(source: MediaSource): string[] {
  const log: string[] = [];
  const describe = (s: SourceStream) =>
    `${s.streamId} ${s.videoType} [${s.layoutClassList.join(',')}] a=${s.audioActive} v=${s.videoActive}`;
  source
    .on('streamAdded', (s) => log.push(`added ${describe(s)}`))
    .on('streamUpdated', (s) => log.push(`updated ${describe(s)}`))
    .on('streamRemoved', (id) => log.push(`removed ${id}`))
    .on('connectionCountChanged', (n) => log.push(`connections ${n}`))
    .on('close', () => log.push('close'));
  return log;
}

describe('LiveMediaSources', () => {
  it('opens a source with the first client, follows streams and delivers their RTP', {
    timeout: 30_000,
  }, async () => {
    const opened: MediaSource[] = [];
    sources.on('sourceOpened', (source) => opened.push(source));
    expect(sources.get('s-main')).toBeNull();

    const alice = harness.connect('s-main', 'alice', { layoutClassList: ['focus'] });
    expect(opened).toHaveLength(1);
    const source = opened[0] as MediaSource;
    expect(sources.get('s-main')).toBe(source);
    expect(source.sessionId).toBe('s-main');
    expect(source.connectionCount()).toBe(1);
    const log = record(source);

    const bob = harness.connect('s-main', 'bob');
    expect(source.connectionCount()).toBe(2);
    const { stream, publisher } = await harness.publish('s-main', alice, 'stream-a');
    const [view] = source.streams();
    expect(view).toMatchObject({
      streamId: 'stream-a',
      connectionId: 'alice',
      videoType: 'camera',
      layoutClassList: ['focus'],
      createdAt: stream.creationTime,
      audio: { kind: 'audio', codec: { mimeType: 'audio/opus', payloadType: PUBLISHER_PAYLOAD_TYPES.opus } },
      video: { kind: 'video', codec: { mimeType: 'video/VP8', payloadType: PUBLISHER_PAYLOAD_TYPES.vp8 } },
      audioActive: true,
      videoActive: true,
    });

    // RTP of both tracks reaches the sinks, as whole packets with the publisher's payload types.
    const video: Buffer[] = [];
    const audio: Buffer[] = [];
    const stopVideo = source.subscribe('stream-a', 'video', (p) => video.push(Buffer.from(p)));
    const stopAudio = source.subscribe('stream-a', 'audio', (p) => audio.push(Buffer.from(p)));
    await until(() => video.length >= 20 && audio.length >= 20, 'tapped RTP');
    expect(video.every((p) => ((p[1] ?? 0) & 0x7f) === PUBLISHER_PAYLOAD_TYPES.vp8)).toBe(true);
    expect(audio.every((p) => ((p[1] ?? 0) & 0x7f) === PUBLISHER_PAYLOAD_TYPES.opus)).toBe(true);
    stopVideo();
    const atStop = video.length;
    await sleep(200);
    expect(video.length).toBe(atStop);

    // A keyframe request reaches the publisher as a PLI.
    const plis = publisher.pliCount;
    source.requestKeyFrame('stream-a');
    await until(() => publisher.pliCount > plis, 'the PLI at the publisher');

    const session = harness.session('s-main');
    // Layout classes (PUT …/session/{id}/stream), publishVideo(false), a forced mute and publishAudio(true).
    session.setLayoutClasses([{ stream, layoutClassList: ['full', 'focus'] }]);
    session.updateChannel(stream, 'video1', { active: false });
    session.updateChannel(stream, 'video1', { width: 640 }); // nothing a recording sees: no event
    session.forceMuteStream('stream-a');
    await until(() => source.streams()[0]?.audioActive === false, 'the forced mute');
    const whileMuted = audio.length;
    await sleep(300);
    expect(audio.length - whileMuted).toBeLessThanOrEqual(1); // a packet already in flight at most
    session.updateChannel(stream, 'audio1', { active: true });
    await until(() => source.streams()[0]?.audioActive === true, 'the unmute');
    await until(() => audio.length > whileMuted + 10, 'audio after the unmute');
    stopAudio();

    // A screen share from a second publisher, then unpublish, then the clients leave.
    await harness.publish('s-main', bob, 'stream-b', { source: 'screen' });
    expect(source.streams().map((s) => `${s.streamId}:${s.videoType}`)).toEqual([
      'stream-a:camera',
      'stream-b:screen',
    ]);
    session.removeStream('stream-b', 'clientDisconnected');
    session.removeConnection('bob', 'clientDisconnected');
    session.removeConnection('alice', 'clientDisconnected');
    expect(log).toEqual([
      'connections 2',
      'added stream-a camera [focus] a=true v=true',
      'updated stream-a camera [full,focus] a=true v=true',
      'updated stream-a camera [full,focus] a=true v=false',
      'updated stream-a camera [full,focus] a=false v=false',
      'updated stream-a camera [full,focus] a=true v=false',
      'added stream-b screen [] a=true v=true',
      'removed stream-b',
      'connections 1',
      'removed stream-a',
      'connections 0',
    ]);
    log.length = 0;

    // The source lingers without clients; a client coming back in time reopens the same one, fed by
    // the new live session (the old one was dropped with its last client).
    expect(harness.registry.get('s-main')).toBeUndefined();
    expect(sources.get('s-main')).toBe(source);
    expect(source.connectionCount()).toBe(0);
    const carol = harness.connect('s-main', 'carol');
    expect(opened).toHaveLength(2);
    expect(opened[1]).toBe(source);
    expect(source.connectionCount()).toBe(1);
    await harness.publish('s-main', carol, 'stream-c');
    expect(source.streams().map((s) => s.streamId)).toEqual(['stream-c']);
    const again: Buffer[] = [];
    const stopAgain = source.subscribe('stream-c', 'video', (p) => again.push(p));
    await until(() => again.length >= 5, 'RTP from the new session');
    stopAgain();
    harness.session('s-main').removeConnection('carol', 'clientDisconnected');
    expect(log).toEqual([
      'connections 1',
      'added stream-c camera [] a=true v=true',
      'removed stream-c',
      'connections 0',
    ]);

    // Past the linger time it closes, and clients returning then get a new source.
    await until(() => log.includes('close'), 'the lingering source to close');
    expect(sources.get('s-main')).toBeNull();
    harness.connect('s-main', 'dan');
    expect(opened).toHaveLength(3);
    expect(opened[2]).not.toBe(source);
    expect(opened[2]?.streams()).toEqual([]);
    harness.session('s-main').removeConnection('dan', 'clientDisconnected');
  });

  it('has no source for relayed sessions', () => {
    const opened: MediaSource[] = [];
    const onOpened = (source: MediaSource): void => {
      opened.push(source);
    };
    sources.on('sourceOpened', onOpened);
    harness.connect('s-relayed', 'erin', { mediaMode: 'relayed' });
    expect(harness.session('s-relayed').media.producers).toBeUndefined();
    expect(sources.get('s-relayed')).toBeNull();
    expect(opened).toEqual([]);
    sources.off('sourceOpened', onOpened);
    harness.session('s-relayed').removeConnection('erin', 'clientDisconnected');
  });

  it('ignores subscriptions to unknown streams and keyframe requests for them', () => {
    harness.connect('s-empty', 'dave');
    const source = sources.get('s-empty');
    if (!source) throw new Error('no source');
    const stop = source.subscribe('nope', 'video', () => undefined);
    expect(stop).toBeTypeOf('function');
    stop();
    source.requestKeyFrame('nope');
    harness.session('s-empty').removeConnection('dave', 'clientDisconnected');
  });
});

describe('LiveMediaSources on the worker-pool engine', () => {
  it('delivers RTP tapped in a worker process and relays keyframe requests to the publisher', {
    timeout: 40_000,
  }, async () => {
    const pool = new WorkerPoolEngine({ workers: 1 });
    await pool.ready();
    const poolHarness = new RoutedSessionHarness(pool);
    const poolSources = new LiveMediaSources(poolHarness.registry);
    try {
      const frank = poolHarness.connect('s-pool', 'frank');
      const { publisher } = await poolHarness.publish('s-pool', frank, 'pool-stream');
      const source = poolSources.get('s-pool');
      if (!source) throw new Error('no source');
      expect(source.streams().map((s) => s.video?.codec.mimeType)).toEqual(['video/VP8']);
      const video: Buffer[] = [];
      const stop = source.subscribe('pool-stream', 'video', (p) => video.push(Buffer.from(p)));
      await until(() => video.length >= 20, 'video from the worker');
      expect(video.every((p) => ((p[1] ?? 0) & 0x7f) === PUBLISHER_PAYLOAD_TYPES.vp8)).toBe(true);
      const plis = publisher.pliCount;
      source.requestKeyFrame('pool-stream');
      await until(() => publisher.pliCount > plis, 'the PLI at the publisher');
      stop();
      poolHarness.session('s-pool').removeConnection('frank', 'clientDisconnected');
      expect(poolSources.get('s-pool')?.connectionCount()).toBe(0);
    } finally {
      poolSources.close();
      await poolHarness.close();
      await pool.closeAndWait();
    }
  });
});
