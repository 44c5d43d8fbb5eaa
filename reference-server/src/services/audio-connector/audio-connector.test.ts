/**
 * The Audio Connector end to end on real media: tones published through the SFU, `connectAudio` over
 * the app's REST API, and a local WebSocket server that checks the PCM it receives (framing, rate,
 * dominant frequency, energy, pacing), the stream filter, the JSON transport, the two-way mode (audio
 * from the socket published into the session) and the ways a connector ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import { projectAuth } from '../../testing/harness.js';
import { OpusPcmDecoder } from './pcm-decoder.js';
import {
  AudioReceiver,
  type ConnectorFixture,
  dominantTone,
  type ReceivedSocket,
  rms,
  samplesOf,
  sinePcm,
  startConnectorFixture,
  tonePower,
} from './testing/connector-fixture.js';

let fx: ConnectorFixture;
let receiver: AudioReceiver;
beforeAll(async () => {
  fx = await startConnectorFixture();
  receiver = await AudioReceiver.start();
});
afterAll(async () => {
  await receiver.close();
  await fx.close();
});

/** The socket the receiver got for a connector started at `count` sockets. */
async function socketAt(index: number): Promise<ReceivedSocket> {
  await waitFor(() => receiver.sockets[index], 5000, 'the connector socket');
  return receiver.sockets[index] as ReceivedSocket;
}

/** The PCM of the frames received in the last `seconds`. */
function lastSeconds(socket: ReceivedSocket, seconds: number, rate: number): Int16Array {
  const bytes = Buffer.concat(socket.frames.map((f) => f.bytes));
  return samplesOf(bytes.subarray(Math.max(0, bytes.length - seconds * rate * 2)));
}

const CANDIDATES = [300, 440, 700, 1000, 1500];

describe('the Audio Connector', () => {
  it('sends the mixed audio of every stream as paced 20 ms PCM frames, with the headers first', async () => {
    const sessionId = await fx.createSession();
    const tone = await fx.publishTone(sessionId, 440);
    const index = receiver.sockets.length;
    const { status, body } = await fx.connect({
      sessionId,
      token: fx.token(sessionId),
      websocket: { uri: receiver.uri('/mixed'), headers: { 'X-Call': 'c-1', Authorization: 'Bearer k' } },
    });
    expect(status).toBe(200);
    expect(body).toEqual({ id: expect.any(String), connectionId: expect.any(String) });
    const socket = await socketAt(index);
    // The headers travel with the handshake and in the first message, after the audio format.
    expect(socket.headers).toMatchObject({ 'x-call': 'c-1', authorization: 'Bearer k' });
    expect(socket.path).toBe('/mixed');
    await waitFor(() => socket.texts[0], 5000, 'the first message');
    expect(socket.texts[0]).toEqual({
      'content-type': 'audio/l16;rate=16000',
      'X-Call': 'c-1',
      Authorization: 'Bearer k',
    });
    await waitFor(() => socket.texts.some((t) => t.event === 'websocket:update'), 5000, 'the update event');
    expect(socket.texts.find((t) => t.event === 'websocket:update')).toMatchObject({
      'content-type': 'audio/l16;rate=16000',
      streams: [{ streamId: tone.streamId, connectionId: tone.client.connection.id, audioActive: true }],
    });

    // The connector is a connection of the session, listed by the REST API.
    const listed = await fx.harness.app.inject({
      method: 'GET',
      url: `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/connection`,
      headers: await projectAuth(fx.harness.project),
    });
    const ids = (JSON.parse(listed.body) as { items: { connectionId: string }[] }).items.map(
      (c) => c.connectionId,
    );
    expect(ids).toContain(body.connectionId);

    await waitFor(() => socket.frames.length >= 150, 10_000, '3 s of audio');
    // 20 ms of mono 16-bit PCM at 16 kHz is 640 bytes, in every message.
    expect(new Set(socket.frames.map((f) => f.bytes.length))).toEqual(new Set([640]));
    const audio = lastSeconds(socket, 1, 16_000);
    expect(dominantTone(audio, 16_000, CANDIDATES)).toBe(440);
    expect(rms(audio)).toBeGreaterThan(500);
    // Frames follow the wall clock: the count matches the time elapsed (loosely: a shared CI machine).
    const first = socket.frames[0]?.at ?? 0;
    const last = socket.frames.at(-1)?.at ?? 0;
    const expected = (last - first) / 20 + 1;
    expect(socket.frames.length).toBeGreaterThan(expected * 0.8);
    expect(socket.frames.length).toBeLessThan(expected * 1.2);

    // A stream published later joins the mix: both tones are heard, far above a frequency nobody sends.
    const late = await fx.publishTone(sessionId, 1000);
    await waitFor(
      () => socket.texts.some((t) => t.event === 'websocket:update' && (t.streams as unknown[]).length === 2),
      5000,
      'the update with two streams',
    );
    const heard = socket.frames.length;
    await waitFor(() => socket.frames.length >= heard + 75, 10_000, '1.5 s more audio');
    const mixed = lastSeconds(socket, 1, 16_000);
    const silent = tonePower(mixed, 16_000, 700);
    expect(tonePower(mixed, 16_000, 440)).toBeGreaterThan(silent * 50);
    expect(tonePower(mixed, 16_000, 1000)).toBeGreaterThan(silent * 50);

    // When a stream ends, the update lists the one left.
    await tone.close();
    await waitFor(
      () => {
        const lastText = socket.texts.at(-1);
        return lastText?.event === 'websocket:update' && (lastText.streams as unknown[]).length === 1;
      },
      5000,
      'the update with one stream',
    );
    expect(socket.texts.at(-1)).toMatchObject({ streams: [{ streamId: late.streamId }] });
    await late.close();
  }, 40_000);

  it('sends silence, steadily, while no stream is published', async () => {
    const sessionId = await fx.createSession();
    const index = receiver.sockets.length;
    const { status } = await fx.connect({
      sessionId,
      token: fx.token(sessionId),
      websocket: { uri: receiver.uri(), audioRate: 8000 },
    });
    expect(status).toBe(200);
    const socket = await socketAt(index);
    await waitFor(() => socket.frames.length >= 25, 5000, 'half a second of audio');
    const elapsed = (socket.frames.at(-1)?.at ?? 0) - (socket.frames[0]?.at ?? 0);
    expect(socket.frames.length).toBeGreaterThan((elapsed / 20) * 0.8);
    expect(socket.texts[0]).toEqual({ 'content-type': 'audio/l16;rate=8000' });
    expect(socket.frames.every((f) => f.bytes.length === 320 && f.bytes.every((b) => b === 0))).toBe(true);
    socket.socket.close();
  }, 15_000);

  it('mixes only the chosen streams, and frames them as JSON with the static fields', async () => {
    const sessionId = await fx.createSession();
    const low = await fx.publishTone(sessionId, 440);
    const high = await fx.publishTone(sessionId, 1000);
    const index = receiver.sockets.length;
    const { status } = await fx.connect({
      sessionId,
      token: fx.token(sessionId),
      websocket: {
        uri: receiver.uri(),
        streams: [high.streamId],
        audioRate: 24_000,
        audioTransport: {
          transport: 'json',
          encoding: 'base64',
          audio_field: 'payload',
          static_fields: { callId: 'support-42' },
        },
      },
    });
    expect(status).toBe(200);
    const socket = await socketAt(index);
    await waitFor(
      () => socket.texts.filter((t) => 'payload' in t).length >= 100,
      10_000,
      '2 s of JSON audio',
    );
    const messages = socket.texts.filter((t) => 'payload' in t);
    expect(messages[0]).toEqual({ callId: 'support-42', payload: expect.any(String) });
    const bytes = Buffer.concat(messages.map((m) => Buffer.from(m.payload as string, 'base64')));
    expect(Buffer.from(messages[0]?.payload as string, 'base64')).toHaveLength(960);
    const audio = samplesOf(bytes.subarray(bytes.length - 24_000 * 2));
    expect(dominantTone(audio, 24_000, CANDIDATES)).toBe(1000);
    // The other stream is not in the mix: its tone is far below the chosen one.
    expect(tonePower(audio, 24_000, 440)).toBeLessThan(tonePower(audio, 24_000, 1000) / 50);
    expect(socket.texts.find((t) => t.event === 'websocket:update')).toMatchObject({
      streams: [{ streamId: high.streamId }],
    });
    socket.socket.close();
    await low.close();
    await high.close();
  }, 30_000);

  it('publishes the audio the socket sends back as its own stream (bidirectional)', async () => {
    const sessionId = await fx.createSession();
    const index = receiver.sockets.length;
    const { status, body } = await fx.connect({
      sessionId,
      token: fx.token(sessionId, 'publisher'),
      websocket: { uri: receiver.uri(), audioRate: 24_000, bidirectional: true },
    });
    expect(status).toBe(200);
    const socket = await socketAt(index);
    const session = fx.harness.app.realtime.registry.get(sessionId);
    const own = session?.streams.find((s) => s.connectionId === body.connectionId);
    expect(own?.announced).toBe(true);
    // Another participant's view of the stream: its RTP through the session's media source, decoded.
    const source = fx.harness.app.realtime.mediaSources.get(sessionId);
    if (!source || !own) throw new Error('no media source or stream');
    const decoded: Int16Array[] = [];
    const decoder = new OpusPcmDecoder({ sampleRate: 16_000, onPcm: (samples) => decoded.push(samples) });
    const stop = source.subscribe(own.id, 'audio', (packet) => decoder.pushRtp(packet));
    // Faster than real time on purpose: the connector plays it out at 20 ms per frame.
    socket.socket.send(sinePcm(700, 24_000, 3));
    await waitFor(
      () => decoded.reduce((n, d) => n + d.length, 0) >= 32_000,
      10_000,
      '2 s of published audio',
    );
    stop();
    await decoder.close();
    const all = new Int16Array(decoded.reduce((n, d) => n + d.length, 0));
    let offset = 0;
    for (const chunk of decoded) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    const audio = all.subarray(all.length - 16_000);
    expect(dominantTone(audio, 16_000, CANDIDATES)).toBe(700);
    expect(rms(audio)).toBeGreaterThan(1000);
    socket.socket.close();
  }, 30_000);

  it('stops when its connection is force-disconnected, and leaves when the socket closes', async () => {
    const sessionId = await fx.createSession();
    const index = receiver.sockets.length;
    const first = await fx.connect({
      sessionId,
      token: fx.token(sessionId),
      websocket: { uri: receiver.uri() },
    });
    const socket = await socketAt(index);
    const removed = await fx.harness.app.inject({
      method: 'DELETE',
      url: `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/connection/${first.body.connectionId}`,
      headers: await projectAuth(fx.harness.project),
    });
    expect(removed.statusCode).toBe(204);
    await waitFor(() => socket.closed, 5000, 'the socket to close');
    expect(fx.harness.app.audioConnectors.running.map((c) => c.settings.id)).not.toContain(first.body.id);

    const second = await fx.connect({
      sessionId,
      token: fx.token(sessionId),
      websocket: { uri: receiver.uri() },
    });
    const other = await socketAt(index + 1);
    const session = fx.harness.app.realtime.registry.get(sessionId);
    expect(session?.connection(second.body.connectionId as string)?.state).toBe('connected');
    other.socket.close();
    await waitFor(
      () => !fx.harness.app.realtime.registry.get(sessionId)?.connection(second.body.connectionId as string),
      5000,
      'the connection to leave',
    );
  }, 20_000);
});
