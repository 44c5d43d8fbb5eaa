/**
 * SIP interconnect end to end: the real app's REST API dials a small SIP server written in the test
 * (UDP on 127.0.0.1) into a routed session with a tone publisher. Checked: digest authentication, the
 * custom headers and caller, the session's tone reaching the callee as µ-law (and as Opus with a callee
 * that chooses it), the callee's tone reaching the session as the call's stream, DTMF events,
 * force-disconnect sending BYE (CANCEL while ringing), the callee's BYE and a busy callee ending the
 * call, force-mute, the `sipCallEvent` webhooks, and the error answers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import { projectAuth } from '../../testing/harness.js';
import { OpusPcmDecoder } from '../audio-connector/pcm-decoder.js';
import {
  type ConnectorFixture,
  dominantTone,
  startConnectorFixture,
} from '../audio-connector/testing/connector-fixture.js';
import { header, type SipRequest } from './message.js';
import { TestUas, type TestUasOptions } from './testing/test-uas.js';

let fx: ConnectorFixture;
const webhooks: Record<string, unknown>[] = [];
const uases: TestUas[] = [];
beforeAll(async () => {
  fx = await startConnectorFixture();
  const events = fx.harness.app.parley.events;
  const emit = events.emit.bind(events);
  vi.spyOn(events, 'emit').mockImplementation((project, webhook, payload, options) => {
    if (webhook === 'sipCallEvent') webhooks.push(payload);
    emit(project, webhook, payload, options);
  });
});
afterAll(async () => {
  await Promise.all(uases.map((uas) => uas.close()));
  await fx?.close();
});

async function uas(options: TestUasOptions): Promise<TestUas> {
  const started = await TestUas.start(options);
  uases.push(started);
  return started;
}

async function rest(method: 'POST' | 'DELETE' | 'GET', path: string, body?: unknown) {
  const response = await fx.harness.app.inject({
    method,
    url: `/v2/project/${fx.harness.project.apiKey}${path}`,
    headers: { ...(await projectAuth(fx.harness.project)), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  };
}

const eventsOf = (callId: unknown) => webhooks.filter((w) => (w.call as { id: string }).id === callId);
const connectionIds = async (sessionId: string) =>
  ((await rest('GET', `/session/${sessionId}/connection`)).body.items as { connectionId: string }[]).map(
    (c) => c.connectionId,
  );

const CANDIDATES = [300, 440, 700, 1000, 1500];

describe('SIP dial', { timeout: 40_000 }, () => {
  it('calls with digest auth, exchanges audio both ways, plays DTMF and hangs up on force-disconnect', async () => {
    const sessionId = await fx.createSession();
    await fx.publishTone(sessionId, 440);
    const callee = await uas({
      toneHz: 1000,
      auth: { username: 'gw', password: 's3cret', realm: 'test.local' },
    });
    const { status, body } = await rest('POST', '/dial', {
      sessionId,
      token: fx.token(sessionId),
      sip: {
        uri: callee.uri(),
        from: '14155550199@example.com',
        headers: { 'X-Customer-Id': '4242' },
        auth: { username: 'gw', password: 's3cret' },
      },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: expect.any(String),
      connectionId: expect.any(String),
      streamId: expect.any(String),
      projectId: fx.harness.project.apiKey,
      sessionId,
    });
    // The connection is in the session at once, before the callee answers.
    expect(await connectionIds(sessionId)).toContain(body.connectionId);

    // One ACK for the 401 (in its transaction), one for the 200 (in the dialog).
    await waitFor(() => callee.received('ACK').length >= 2, 5000, 'the two ACKs');
    const invites = callee.received('INVITE');
    expect(invites).toHaveLength(2);
    const [first, second] = invites as [SipRequest, SipRequest];
    expect(header(first, 'authorization')).toBeUndefined();
    expect(header(second, 'authorization')).toMatch(/^Digest username="gw"/);
    expect(header(second, 'x-customer-id')).toBe('4242');
    expect(header(second, 'from')).toMatch(/^<sip:14155550199@example\.com>;tag=/);
    expect(callee.problems).toEqual([]);

    // The session's tone reaches the callee as µ-law.
    await waitFor(() => callee.audio.length >= 8000 * 2, 10_000, '2 s of audio at the callee');
    expect(dominantTone(Int16Array.from(callee.audio.slice(-8000)), 8000, CANDIDATES)).toBe(440);

    // The callee's tone is published as the call's stream.
    const source = fx.harness.app.realtime.mediaSources.get(sessionId);
    if (!source) throw new Error('The session has no media source');
    const heard: number[] = [];
    const decoder = new OpusPcmDecoder({ sampleRate: 16_000, onPcm: (samples) => heard.push(...samples) });
    const stop = source.subscribe(body.streamId as string, 'audio', (packet) => decoder.pushRtp(packet));
    await waitFor(() => heard.length >= 16_000 * 1.5, 10_000, '1.5 s of the call stream');
    stop();
    await decoder.close();
    expect(dominantTone(Int16Array.from(heard.slice(-16_000)), 16_000, CANDIDATES)).toBe(1000);

    // DTMF to the session and to the call arrive as RFC 4733 events.
    expect((await rest('POST', `/session/${sessionId}/play-dtmf`, { digits: '1#' })).status).toBe(200);
    const toCall = await rest('POST', `/session/${sessionId}/connection/${body.connectionId}/play-dtmf`, {
      digits: '5',
    });
    expect(toCall.status).toBe(200);
    await waitFor(() => callee.events.filter((e) => e.end).length >= 9, 5000, 'three ended events');
    const started = callee.events.filter((e) => e.marker).map((e) => e.event);
    expect(started).toEqual([1, 11, 5]);
    // Every event ends with its end packet sent three times.
    expect(callee.events.filter((e) => e.end && e.event === 11)).toHaveLength(3);

    // Force-disconnect sends BYE, the connection leaves, and the webhooks tell the whole story.
    expect((await rest('DELETE', `/session/${sessionId}/connection/${body.connectionId}`)).status).toBe(204);
    await waitFor(() => callee.received('BYE').length > 0, 5000, 'the BYE');
    expect(await connectionIds(sessionId)).not.toContain(body.connectionId);
    await waitFor(() => eventsOf(body.id).some((w) => w.event === 'callDestroyed'), 5000, 'callDestroyed');
    expect(eventsOf(body.id).map((w) => (w.event === 'callUpdated' ? w.state : w.event))).toEqual([
      'callCreated',
      'DIALING',
      'RINGING',
      'ACTIVE',
      'HANGUP',
      'callDestroyed',
    ]);
    expect(eventsOf(body.id).at(-1)).toMatchObject({
      sessionId,
      projectId: fx.harness.project.apiKey,
      applicationId: fx.harness.project.applicationId,
      reason_code: '700',
      reason_message: 'Normal Clearing',
      call: { id: body.id, connectionId: body.connectionId, createdAt: expect.any(Number) },
    });
  });

  it('speaks Opus with a callee that chooses it, both ways and without transcoding its audio', async () => {
    const sessionId = await fx.createSession();
    await fx.publishTone(sessionId, 440);
    const callee = await uas({ toneHz: 1000, opus: true });
    const { body } = await rest('POST', '/dial', {
      sessionId,
      token: fx.token(sessionId),
      sip: { uri: callee.uri() },
    });
    await waitFor(() => callee.audio.length >= 8000 * 2, 10_000, '2 s of Opus audio at the callee');
    expect(dominantTone(Int16Array.from(callee.audio.slice(-8000)), 8000, CANDIDATES)).toBe(440);
    const source = fx.harness.app.realtime.mediaSources.get(sessionId);
    if (!source) throw new Error('The session has no media source');
    const heard: number[] = [];
    const decoder = new OpusPcmDecoder({ sampleRate: 16_000, onPcm: (samples) => heard.push(...samples) });
    const stop = source.subscribe(body.streamId as string, 'audio', (packet) => decoder.pushRtp(packet));
    await waitFor(() => heard.length >= 16_000 * 1.5, 10_000, '1.5 s of the call stream');
    stop();
    await decoder.close();
    expect(dominantTone(Int16Array.from(heard.slice(-16_000)), 16_000, CANDIDATES)).toBe(1000);
    // DTMF uses the telephone-event of Opus's 48 kHz clock: a 100 ms event lasts 4800 units.
    await rest('POST', `/session/${sessionId}/play-dtmf`, { digits: '7' });
    await waitFor(() => callee.events.filter((e) => e.end).length >= 3, 5000, 'the ended event');
    expect(callee.events.find((e) => e.end)).toMatchObject({ event: 7, duration: 4800 });
    callee.bye();
  });

  it('ends the call when the callee hangs up', async () => {
    const sessionId = await fx.createSession();
    const callee = await uas({ toneHz: 700 });
    const { body } = await rest('POST', '/dial', {
      sessionId,
      token: fx.token(sessionId),
      sip: { uri: callee.uri() },
    });
    await waitFor(() => callee.received('ACK').length > 0, 5000, 'the ACK');
    callee.bye();
    await waitFor(() => eventsOf(body.id).some((w) => w.event === 'callDestroyed'), 5000, 'callDestroyed');
    expect(eventsOf(body.id).at(-1)).toMatchObject({ reason_code: '700' });
    expect(await connectionIds(sessionId)).not.toContain(body.connectionId);
  });

  it('reports a busy callee as the failure and removes the connection', async () => {
    const sessionId = await fx.createSession();
    const callee = await uas({ toneHz: 700, reject: { status: 486, reason: 'Busy Here' } });
    const { status, body } = await rest('POST', '/dial', {
      sessionId,
      token: fx.token(sessionId),
      sip: { uri: callee.uri() },
    });
    expect(status).toBe(200);
    await waitFor(() => eventsOf(body.id).some((w) => w.event === 'callDestroyed'), 5000, 'callDestroyed');
    expect(eventsOf(body.id).at(-1)).toMatchObject({ reason_code: '486', reason_message: 'Busy Here' });
    expect(eventsOf(body.id).some((w) => w.state === 'HANGUP')).toBe(false);
    // The failure was acknowledged, as RFC 3261 §17.1.1.3 requires.
    await waitFor(() => callee.received('ACK').length > 0, 5000, 'the ACK of the 486');
    expect(await connectionIds(sessionId)).not.toContain(body.connectionId);
  });

  it('cancels a ringing call when its connection is force-disconnected', async () => {
    const sessionId = await fx.createSession();
    const callee = await uas({ toneHz: 700, ringOnly: true });
    const { body } = await rest('POST', '/dial', {
      sessionId,
      token: fx.token(sessionId),
      sip: { uri: callee.uri() },
    });
    await waitFor(() => eventsOf(body.id).some((w) => w.state === 'RINGING'), 5000, 'RINGING');
    expect((await rest('DELETE', `/session/${sessionId}/connection/${body.connectionId}`)).status).toBe(204);
    // CANCEL, then the 487 that ends the INVITE is acknowledged; no BYE for a call never answered.
    await waitFor(() => callee.received('ACK').length > 0, 5000, 'the ACK of the 487');
    expect(callee.received('CANCEL')).toHaveLength(1);
    expect(callee.received('BYE')).toHaveLength(0);
    await waitFor(() => eventsOf(body.id).some((w) => w.event === 'callDestroyed'), 5000, 'callDestroyed');
    expect(eventsOf(body.id).at(-1)).toMatchObject({ reason_code: '700' });
    expect(eventsOf(body.id).some((w) => w.state === 'HANGUP')).toBe(false);
  });

  it('obeys force-mute only with observeForceMute', async () => {
    const sessionId = await fx.createSession();
    const dialMuted = async (observeForceMute: boolean) => {
      const callee = await uas({ toneHz: 700 });
      const { body } = await rest('POST', '/dial', {
        sessionId,
        token: fx.token(sessionId),
        sip: { uri: callee.uri(), observeForceMute },
      });
      await waitFor(() => eventsOf(body.id).some((w) => w.state === 'ACTIVE'), 5000, 'ACTIVE');
      expect((await rest('POST', `/session/${sessionId}/stream/${body.streamId}/mute`, {})).status).toBe(200);
      return body;
    };
    const live = () => fx.harness.app.realtime.registry.get(sessionId);
    const audioActive = (streamId: unknown) =>
      live()
        ?.stream(streamId as string)
        ?.channels.get('audio1')?.active;

    const observing = await dialMuted(true);
    await waitFor(() => eventsOf(observing.id).some((w) => w.event === 'muteForced'), 5000, 'muteForced');
    expect(audioActive(observing.streamId)).toBe(false);

    // *6 from the callee toggles its own mute: on again, then off.
    const observingCallee = uases.at(-1) as TestUas;
    observingCallee.sendDigits([10, 6]);
    await waitFor(() => audioActive(observing.streamId) === true, 5000, '*6 to unmute');
    observingCallee.sendDigits([10, 6]);
    await waitFor(() => audioActive(observing.streamId) === false, 5000, '*6 to mute again');

    const ignoring = await dialMuted(false);
    // The leg turns its audio back on, as a client that ignores the mute would; no muteForced.
    await waitFor(() => audioActive(ignoring.streamId) === true, 5000, 'the audio back on');
    expect(eventsOf(ignoring.id).some((w) => w.event === 'muteForced')).toBe(false);
  });

  it('reports an unreachable host (TCP, connection refused) as 503', async () => {
    const sessionId = await fx.createSession();
    // Port 9 (discard) has no listener on a test machine: the connection is refused at once.
    const { status, body } = await rest('POST', '/dial', {
      sessionId,
      token: fx.token(sessionId),
      sip: { uri: 'sip:nobody@127.0.0.1:9;transport=tcp' },
    });
    expect(status).toBe(200);
    await waitFor(() => eventsOf(body.id).some((w) => w.event === 'callDestroyed'), 5000, 'callDestroyed');
    expect(eventsOf(body.id).at(-1)).toMatchObject({
      reason_code: '503',
      reason_message: 'Service Unavailable',
    });
  });
});

describe('SIP errors', { timeout: 20_000 }, () => {
  it('refuses what it cannot dial, naming the field', async () => {
    const routed = await fx.createSession();
    const relayed = await fx.createSession({ mediaMode: 'relayed' });
    const encrypted = await fx.createSession({ e2ee: true });
    const uri = 'sip:bob@127.0.0.1:5999';
    const dial = (sessionId: string, sip: Record<string, unknown>, token = fx.token(sessionId)) =>
      rest('POST', '/dial', { sessionId, token, sip: { uri, ...sip } });
    expect((await dial(relayed, {})).body).toMatchObject({ code: 40911 });
    expect((await dial(encrypted, {})).body).toMatchObject({ code: 40912 });
    const unknown = `${routed.slice(0, -4)}AAAA`;
    expect(await dial(unknown, {}, fx.token(routed))).toMatchObject({ status: 404, body: { code: 40401 } });
    expect(await dial(routed, {}, 'T1==garbage')).toMatchObject({ status: 400, body: { code: 40017 } });
    expect(await dial(routed, {}, fx.token(routed, 'subscriber'))).toMatchObject({ body: { code: 40017 } });
    const notX = await dial(routed, { headers: { 'Customer-Id': '1' } });
    expect(notX).toMatchObject({ status: 400, body: { code: 40001 } });
    expect(notX.body.message).toContain('body.sip.headers');
    const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-H${i}`, 'v'.repeat(1000)]));
    expect(await dial(routed, { headers: big })).toMatchObject({ status: 400, body: { code: 40016 } });
    expect(await dial(routed, { secure: true })).toMatchObject({ status: 400, body: { code: 40018 } });
    expect(await dial(routed, { video: true })).toMatchObject({ status: 400, body: { code: 40018 } });
    expect(await dial(routed, { streams: ['no-such-stream'] })).toMatchObject({
      status: 404,
      body: { code: 40412 },
    });
    expect(await dial(routed, { uri: 'sip:bob@host;transport=sctp' })).toMatchObject({
      status: 400,
      body: { code: 40001 },
    });
  });

  it('plays DTMF only to SIP calls of a known session, with valid digits', async () => {
    const sessionId = await fx.createSession();
    const tone = await fx.publishTone(sessionId, 300);
    expect(await rest('POST', `/session/${sessionId}/play-dtmf`, { digits: '12' })).toMatchObject({
      status: 200,
    });
    expect(await rest('POST', `/session/${sessionId}/play-dtmf`, { digits: '1A' })).toMatchObject({
      status: 400,
    });
    const unknown = `${sessionId.slice(0, -4)}AAAA`;
    expect(await rest('POST', `/session/${unknown}/play-dtmf`, { digits: '1' })).toMatchObject({
      status: 404,
      body: { code: 40401 },
    });
    expect(
      await rest('POST', `/session/${sessionId}/connection/${tone.client.connection.id}/play-dtmf`, {
        digits: '1',
      }),
    ).toMatchObject({ status: 409, body: { code: 40913 } });
    expect(
      await rest('POST', `/session/${sessionId}/connection/nobody/play-dtmf`, { digits: '1' }),
    ).toMatchObject({
      status: 404,
      body: { code: 40411 },
    });
  });
});
