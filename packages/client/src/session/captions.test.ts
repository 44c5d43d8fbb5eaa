import type { RaptorMessage } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptionReceivedEvent, StreamPropertyChangedEvent } from '../events.js';
import { initPublisher, initSession } from '../index.js';
import type { LogSink } from '../logger.js';
import type { Session } from '../Session.js';
import { FakeMediaHandler } from '../testing/fake-media.js';
import { FakeServer } from '../testing/fake-server.js';
import { parseCaption } from './captions.js';

const warnings: { message: string; context?: Record<string, unknown> }[] = [];
const sink: LogSink = {
  error() {},
  warn: (message, context) => warnings.push({ message, ...(context ? { context } : {}) }),
  info() {},
  debug() {},
};

const sessions: Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.disconnect();
  warnings.length = 0;
});

/** Lets queued microtasks and zero-delay work run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function connected() {
  const server = new FakeServer();
  const session = initSession(server.projectId, server.sessionId, {
    url: 'http://parley.test/api',
    fetch: server.fetch,
    transportFactory: server.transportFactory,
    mediaHandler: new FakeMediaHandler(),
    logger: sink,
  });
  sessions.push(session);
  await session.connect(server.token);
  return { server, session, connectionId: session.connection?.connectionId as string };
}

/** Connects, adds another client's stream and returns it as the session knows it. */
async function withPeerStream(options: { hasCaptions?: boolean } = {}) {
  const context = await connected();
  const streamId = context.server.addStream(context.server.addPeer(), options);
  await settle();
  const stream = context.session.streams.get(streamId);
  if (!stream) throw new Error('the stream was not announced');
  return { ...context, streamId, stream };
}

/** The caption message the server sends for `streamId`, as in the reference server. */
function captionMessage(server: FakeServer, streamId: string, text: string, isFinal: boolean): RaptorMessage {
  return {
    method: 'data',
    uri: server.uri(['stream', streamId], ['channel', 'caption1'], ['data', crypto.randomUUID()]),
    content: { data: JSON.stringify({ caption: { text }, streamId, isFinal }) },
  };
}

/** The `update` requests the client sent, as [URI tail, content]. */
function updates(server: FakeServer): [string, Record<string, unknown>][] {
  return server
    .messages('update')
    .map((message) => [message.uri.split('/').slice(-4).join('/'), message.content]);
}

describe('parseCaption', () => {
  it('reads the protocol payload, a JSON string of {caption: {text}, streamId, isFinal}', () => {
    const data = JSON.stringify({ caption: { text: 'three yes' }, streamId: 's1', isFinal: true });
    expect(parseCaption({ data }, 's1')).toEqual({
      event: { type: 'captionReceived', streamId: 's1', caption: 'three yes', isFinal: true },
    });
  });

  it('accepts the payload as an object, and a missing streamId or isFinal', () => {
    expect(parseCaption({ data: { caption: { text: 'partial' } } }, 's1')).toEqual({
      event: { type: 'captionReceived', streamId: 's1', caption: 'partial', isFinal: false },
    });
  });

  it.each([
    [{}, 'content.data must be a JSON object'],
    [{ data: '{not json' }, 'content.data is not JSON'],
    [{ data: '{"caption":{}}' }, 'content.data.caption.text must be a string'],
    [{ data: '{"caption":"hi"}' }, 'content.data.caption.text must be a string'],
    [{ data: '{"caption":{"text":"hi"},"isFinal":"yes"}' }, 'content.data.isFinal must be a boolean'],
    [{ data: '{"caption":{"text":"hi"},"streamId":"s2"}' }, 'differs from the URI'],
  ])('refuses %j, saying why', (content, problem) => {
    const parsed = parseCaption(content, 's1');
    expect('invalid' in parsed && parsed.invalid).toContain(problem);
  });
});

describe('publisher captions', () => {
  it('sends caption1 active in the stream create with publishCaptions: true', async () => {
    const { server, session } = await connected();
    const publisher = await session.publish({ publishCaptions: true });
    const create = server.messages('create').find((message) => message.uri.includes('/stream/'));
    expect(create?.content.channel).toContainEqual({ id: 'caption1', type: 'data', active: true });
    expect(publisher.isPublishingCaptions).toBe(true);
    expect(publisher.stream?.hasCaptions).toBe(true);
  });

  it('toggles caption1 with publishCaptions() and follows the server broadcast in stream.hasCaptions', async () => {
    const { server, session } = await connected();
    const publisher = await session.publish();
    expect(publisher.stream?.hasCaptions).toBe(false);
    await publisher.publishCaptions(true);
    await settle();
    expect(publisher.isPublishingCaptions).toBe(true);
    expect(publisher.stream?.hasCaptions).toBe(true);
    await publisher.publishCaptions(false);
    await settle();
    expect(updates(server)).toEqual([
      [`stream/${publisher.streamId}/channel/caption1`, { active: true }],
      [`stream/${publisher.streamId}/channel/caption1`, { active: false }],
    ]);
    expect(publisher.stream?.hasCaptions).toBe(false);
  });

  it('before publishing, publishCaptions() sets what the stream create sends', async () => {
    const { server, session } = await connected();
    const publisher = initPublisher({}, { mediaHandler: new FakeMediaHandler(), logger: sink });
    await publisher.publishCaptions(true);
    expect(server.messages('update')).toEqual([]);
    await session.publish(publisher);
    const create = server.messages('create').find((message) => message.uri.includes('/stream/'));
    expect(create?.content.channel).toContainEqual({ id: 'caption1', type: 'data', active: true });
  });

  it('names the bad argument and option', async () => {
    const { session } = await connected();
    await expect(session.publish({ publishCaptions: 'yes' as never })).rejects.toMatchObject({
      code: 1011,
      name: 'OT_INVALID_PARAMETER',
      field: 'options.publishCaptions',
    });
    const publisher = await session.publish();
    await expect(publisher.publishCaptions(1 as never)).rejects.toMatchObject({
      code: 1011,
      field: 'value',
      message: 'value: publishCaptions takes a boolean, not the number 1',
    });
    expect(() => publisher.publishAudio('off' as never)).toThrow(/publishAudio takes a boolean/);
    expect(publisher.isPublishingCaptions).toBe(false);
  });

  it('rejects with OT_UNABLE_TO_PUBLISH and the status when the server refuses', async () => {
    const { server, session } = await connected();
    const publisher = await session.publish();
    server.refuse.set('update', [404, 'Stream has no channel caption1']);
    await expect(publisher.publishCaptions(true)).rejects.toMatchObject({
      code: 1500,
      name: 'OT_UNABLE_TO_PUBLISH',
      status: 404,
    });
  });

  it('warns when captions are on without a microphone', async () => {
    const { session } = await connected();
    await session.publish({ publishCaptions: true, audioSource: false });
    expect(warnings.map((warning) => warning.message)).toContainEqual(expect.stringMatching(/microphone/));
  });
});

describe('stream.hasCaptions', () => {
  it('is read from the caption1 channel and changes with streamPropertyChanged', async () => {
    const { server, session, streamId, stream } = await withPeerStream({ hasCaptions: true });
    expect(stream.hasCaptions).toBe(true);
    const changes: StreamPropertyChangedEvent[] = [];
    session.on('streamPropertyChanged', (event) => changes.push(event));
    server.broadcast({
      method: 'updated',
      uri: server.uri(['stream', streamId], ['channel', 'caption1']),
      content: { active: false },
    });
    await settle();
    expect(changes).toEqual([
      expect.objectContaining({ changedProperty: 'hasCaptions', oldValue: true, newValue: false, stream }),
    ]);
    expect(stream.hasCaptions).toBe(false);
    // Another data channel says nothing about captions.
    expect(stream.applyChannel({ id: 'downlinkStats1', type: 'data', active: true })).toEqual([]);
  });
});

describe('subscriber captions', () => {
  it('subscribes with caption1 off by default and turns it on and off with subscribeToCaptions()', async () => {
    const { server, session, stream, streamId } = await withPeerStream();
    const subscriber = await session.subscribe(stream);
    const create = server.messages('create').find((message) => message.uri.includes('/subscriber/'));
    expect(create?.content.channel).toContainEqual({ id: 'caption1', type: 'data', active: false });
    expect(subscriber.isSubscribedToCaptions()).toBe(false);
    await subscriber.subscribeToCaptions(true);
    expect(subscriber.isSubscribedToCaptions()).toBe(true);
    await subscriber.subscribeToCaptions(false);
    expect(updates(server)).toEqual([
      [`subscriber/${subscriber.id}/channel/caption1`, { active: true }],
      [`subscriber/${subscriber.id}/channel/caption1`, { active: false }],
    ]);
    expect(server.messages('update').every((message) => message.uri.includes(`/stream/${streamId}/`))).toBe(
      true,
    );
  });

  it("defaults to the stream's hasCaptions, as OpenTok.js does, unless the option says otherwise", async () => {
    const { server, session, stream } = await withPeerStream({ hasCaptions: true });
    const defaulted = await session.subscribe(stream);
    const explicit = await session.subscribe(stream, { subscribeToCaptions: false });
    expect(defaulted.isSubscribedToCaptions()).toBe(true);
    expect(explicit.isSubscribedToCaptions()).toBe(false);
    const channels = server
      .messages('create')
      .filter((message) => message.uri.includes('/subscriber/'))
      .map((message) => (message.content.channel as { id: string; active: boolean }[]).at(-1));
    expect(channels).toEqual([
      { id: 'caption1', type: 'data', active: true },
      { id: 'caption1', type: 'data', active: false },
    ]);
  });

  it('emits captionReceived on the subscribers of the stream with captions on, in order', async () => {
    const { server, session, stream, streamId, connectionId } = await withPeerStream();
    const other = server.addStream(server.addPeer('carol'));
    await settle();
    const listening = await session.subscribe(stream, { subscribeToCaptions: true });
    const quiet = await session.subscribe(stream);
    const elsewhere = await session.subscribe(session.streams.get(other) as never, {
      subscribeToCaptions: true,
    });
    const received = new Map<string, CaptionReceivedEvent[]>();
    for (const [name, subscriber] of Object.entries({ listening, quiet, elsewhere })) {
      received.set(name, []);
      subscriber.on('captionReceived', (event) => received.get(name)?.push(event));
    }
    server.push(connectionId, captionMessage(server, streamId, 'three', false));
    server.push(connectionId, captionMessage(server, streamId, 'three three yes', true));
    await settle();
    expect(received.get('listening')).toEqual([
      { type: 'captionReceived', streamId, caption: 'three', isFinal: false },
      { type: 'captionReceived', streamId, caption: 'three three yes', isFinal: true },
    ]);
    expect(received.get('quiet')).toEqual([]);
    expect(received.get('elsewhere')).toEqual([]);

    // Turned off, a late caption (sent before the server saw the update) is not shown.
    await listening.subscribeToCaptions(false);
    server.push(connectionId, captionMessage(server, streamId, 'late', true));
    await settle();
    expect(received.get('listening')).toHaveLength(2);
  });

  it('drops malformed captions, warning once per stream, and keeps going', async () => {
    const { server, session, stream, streamId, connectionId } = await withPeerStream();
    const subscriber = await session.subscribe(stream, { subscribeToCaptions: true });
    const received: string[] = [];
    subscriber.on('captionReceived', (event) => received.push(event.caption));
    const broken = (id: string): RaptorMessage => ({
      method: 'data',
      uri: server.uri(['stream', streamId], ['channel', 'caption1'], ['data', id]),
      content: { data: '{broken' },
    });
    server.push(connectionId, broken('x1'));
    server.push(connectionId, captionMessage(server, streamId, 'yes', true));
    server.push(connectionId, broken('x2'));
    await settle();
    expect(received).toEqual(['yes']);
    expect(warnings).toEqual([
      {
        message: '[parley:session] ignoring a malformed caption',
        context: expect.objectContaining({ streamId, problem: 'content.data is not JSON' }),
      },
    ]);
  });

  it('names the bad argument and option, and rejects a refused update with OT_UNABLE_TO_SUBSCRIBE', async () => {
    const { server, session, stream } = await withPeerStream();
    await expect(session.subscribe(stream, { subscribeToCaptions: 'on' as never })).rejects.toMatchObject({
      code: 1011,
      field: 'options.subscribeToCaptions',
    });
    const subscriber = await session.subscribe(stream);
    await expect(subscriber.subscribeToCaptions(undefined as never)).rejects.toMatchObject({
      code: 1011,
      name: 'OT_INVALID_PARAMETER',
      message: 'value: subscribeToCaptions takes a boolean, not undefined',
    });
    expect(subscriber.isSubscribedToCaptions()).toBe(false);
    server.refuse.set('update', [403, 'not yours']);
    await expect(subscriber.subscribeToCaptions(true)).rejects.toMatchObject({
      code: 1501,
      name: 'OT_UNABLE_TO_SUBSCRIBE',
      status: 403,
    });
  });

  it('stops emitting once destroyed, and subscribeToCaptions() then sends nothing', async () => {
    const { server, session, stream, streamId, connectionId } = await withPeerStream();
    const subscriber = await session.subscribe(stream, { subscribeToCaptions: true });
    const received: string[] = [];
    subscriber.on('captionReceived', (event) => received.push(event.caption));
    await session.unsubscribe(subscriber);
    server.push(connectionId, captionMessage(server, streamId, 'gone', true));
    await settle();
    await subscriber.subscribeToCaptions(false);
    expect(received).toEqual([]);
    expect(server.messages('update')).toEqual([]);
  });
});
