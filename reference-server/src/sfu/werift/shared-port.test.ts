/**
 * The shared UDP port: its demultiplexer with raw sockets and hand-made STUN messages, then werift
 * clients through an engine whose peer connections all share the port.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { classes, Message, methods } from 'werift';
import { SfuError } from '../errors.js';
import { requireNativeDatapath } from '../native/datapath.js';
import { WeriftEngine } from './engine.js';
import { SharedUdpPort } from './shared-port.js';
import { bindingRequestUfrag } from './shared-port-wire.js';
import { TestPublisher, TestSubscriber } from './testing/werift-clients.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function bindingRequest(username: string): Buffer {
  const message = new Message(methods.BINDING, classes.REQUEST);
  message.setAttribute('USERNAME', username);
  message.addFingerprint();
  return message.bytes;
}

function bindingSuccess(): Buffer {
  return new Message(methods.BINDING, classes.RESPONSE).bytes;
}

async function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A client socket on loopback that records what it receives. */
async function clientSocket(): Promise<{
  socket: Socket;
  port: number;
  send(data: Buffer, to: number): void;
}> {
  const socket = createSocket('udp4');
  cleanups.push(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    socket,
    port: socket.address().port,
    send: (data, to) => socket.send(data, to, '127.0.0.1'),
  };
}

/** A transport on `port` for a fake ICE agent, recording what it is handed. */
function transportFor(
  port: SharedUdpPort,
  agent: { localUsername: string; userHistory: Record<string, string> },
) {
  const transport = port.createTransport('127.0.0.1', agent);
  const received: string[] = [];
  transport.onData = (data) => received.push(data.toString('latin1'));
  return { transport, received };
}

describe('bindingRequestUfrag', () => {
  it('reads the local half of a Binding request’s USERNAME', () => {
    expect(bindingRequestUfrag(bindingRequest('abcd:efgh'))).toBe('abcd');
    expect(bindingRequestUfrag(bindingRequest('solo'))).toBe('solo');
  });

  it('ignores responses, non-STUN datagrams and truncated attributes', () => {
    expect(bindingRequestUfrag(bindingSuccess())).toBeUndefined();
    expect(bindingRequestUfrag(Buffer.from([0x80, 0x60, 0, 1, 2, 3, 4, 5]))).toBeUndefined();
    const request = bindingRequest('abcd:efgh');
    // Cut inside the USERNAME value: its length now runs past the message.
    expect(bindingRequestUfrag(request.subarray(0, 26))).toBeUndefined();
    const noCookie = Buffer.from(request);
    noCookie.writeUInt32BE(0, 4);
    expect(bindingRequestUfrag(noCookie)).toBeUndefined();
  });
});

// Node's `message` events (the JavaScript datapath) and the addon's recvmmsg batches (the native one).
describe.each(['javascript', 'native'] as const)('SharedUdpPort reading with the %s datapath', (datapath) => {
  async function openPort(): Promise<SharedUdpPort> {
    const port = await SharedUdpPort.open(
      '127.0.0.1',
      undefined,
      datapath === 'native' ? requireNativeDatapath() : undefined,
    );
    cleanups.push(() => port.close());
    return port;
  }

  it('hands a Binding request to the agent its USERNAME names, and the rest by claimed address', async () => {
    const port = await openPort();
    const a = transportFor(port, { localUsername: 'aaaa', userHistory: {} });
    const b = transportFor(port, { localUsername: 'bbbb', userHistory: {} });
    const client = await clientSocket();

    // Unknown address, not a Binding request: dropped.
    client.send(Buffer.from('early media'), port.port);
    client.send(bindingRequest('bbbb:cccc'), port.port);
    await until(() => b.received.length === 1, 'the request at b');
    expect(a.received).toEqual([]);
    expect(port.stats.unrouted).toBe(1);

    // b answers the check: the client's address is now b's.
    const answers: Buffer[] = [];
    client.socket.on('message', (data) => answers.push(data));
    await b.transport.send(bindingSuccess(), ['127.0.0.1', client.port]);
    await until(() => answers.length === 1, 'the response at the client');
    expect(port.stats.routes).toBe(1);
    client.send(Buffer.from('dtls'), port.port);
    await until(() => b.received.length === 2, 'the DTLS datagram at b');
    expect(b.received[1]).toBe('dtls');

    // A plain send by a does not take the address from b; a success response (a verified check) does.
    await a.transport.send(Buffer.from('probe'), ['127.0.0.1', client.port]);
    client.send(Buffer.from('still b'), port.port);
    await until(() => b.received.length === 3, 'the datagram still at b');
    await a.transport.send(bindingSuccess(), ['127.0.0.1', client.port]);
    client.send(Buffer.from('now a'), port.port);
    await until(() => a.received.length === 1, 'the datagram at a');
    expect(a.received).toEqual(['now a']);
    expect(b.received).toHaveLength(3);
    if (datapath === 'native') {
      // Every datagram came through the addon's reader, none through Node's socket.
      expect(port.stats.receivedDatagrams).toBe(5);
      expect(port.stats.receivedBatches).toBeGreaterThan(0);
    } else {
      expect(port.stats.receivedDatagrams).toBeUndefined();
    }
  });

  it('refuses a second agent with a username fragment already in use', async () => {
    const port = await openPort();
    transportFor(port, { localUsername: 'same', userHistory: {} });
    expect(() => port.createTransport('127.0.0.1', { localUsername: 'same', userHistory: {} })).toThrow(
      /already in use/,
    );
  });

  it('follows an ICE restart: the new and the earlier username fragments both reach the agent', async () => {
    const port = await openPort();
    const agent = { localUsername: 'old1', userHistory: {} as Record<string, string> };
    const { received } = transportFor(port, agent);
    const client = await clientSocket();
    client.send(bindingRequest('old1:remote'), port.port);
    await until(() => received.length === 1, 'the first request');
    agent.userHistory.old1 = 'password';
    agent.localUsername = 'new2';
    client.send(bindingRequest('new2:remote'), port.port);
    client.send(bindingRequest('old1:remote'), port.port);
    await until(() => received.length === 3, 'both requests after the restart');
    client.send(bindingRequest('nobody:remote'), port.port);
    await until(() => port.stats.unrouted === 1, 'the unknown fragment to be dropped');
  });

  it('closing a transport releases its routes and fragments but keeps the socket for the others', async () => {
    const port = await openPort();
    const a = transportFor(port, { localUsername: 'aaaa', userHistory: {} });
    const b = transportFor(port, { localUsername: 'bbbb', userHistory: {} });
    const client = await clientSocket();
    client.send(bindingRequest('aaaa:x'), port.port);
    await until(() => a.received.length === 1, 'the request at a');
    await a.transport.send(bindingSuccess(), ['127.0.0.1', client.port]);
    expect(port.stats).toMatchObject({ transports: 2, routes: 1 });

    await a.transport.close();
    expect(a.transport.closed).toBe(true);
    expect(port.stats).toMatchObject({ transports: 1, routes: 0 });
    await a.transport.send(Buffer.from('after close'), ['127.0.0.1', client.port]); // a no-op, no throw
    client.send(bindingRequest('aaaa:x'), port.port);
    client.send(Buffer.from('to nobody'), port.port);
    await until(() => port.stats.unrouted === 2, 'both datagrams to be dropped');
    expect(a.received).toHaveLength(1);

    client.send(bindingRequest('bbbb:x'), port.port);
    await until(() => b.received.length === 1, 'b still served');
  });

  it('tells apart two remote addresses that share a port number', async () => {
    const port = await openPort();
    const a = transportFor(port, { localUsername: 'aaaa', userHistory: {} });
    const b = transportFor(port, { localUsername: 'bbbb', userHistory: {} });
    const first = await clientSocket();
    // The same port number on another loopback address (Linux routes all of 127.0.0.0/8 to lo).
    const second = createSocket('udp4');
    cleanups.push(() => second.close());
    await new Promise<void>((resolve) => second.bind(first.port, '127.0.0.2', resolve));
    await a.transport.send(bindingSuccess(), ['127.0.0.1', first.port]);
    await b.transport.send(bindingSuccess(), ['127.0.0.2', first.port]);
    expect(port.stats.routes).toBe(2);
    first.send(Buffer.from('from one'), port.port);
    second.send(Buffer.from('from two'), port.port, '127.0.0.1');
    await until(() => a.received.length === 1 && b.received.length === 1, 'one datagram at each');
    expect([a.received, b.received]).toEqual([['from one'], ['from two']]);

    // Closing the transport routed last on that port leaves the other address routed.
    await b.transport.close();
    first.send(Buffer.from('again'), port.port);
    second.send(Buffer.from('to nobody'), port.port, '127.0.0.1');
    await until(() => a.received.length === 2 && port.stats.unrouted === 1, 'a served, the other dropped');
    expect(a.received[1]).toBe('again');
  });

  it('hands RTP and RTCP from a routed address to the agent’s SRTP handler once it has one, counting them on the pair', async () => {
    const port = await openPort();
    const agent: {
      localUsername: string;
      userHistory: Record<string, string>;
      mediaReceiver?: (data: Buffer) => void;
      nominated?: { protocol: { transport: unknown }; packetsReceived: number; bytesReceived: number };
    } = { localUsername: 'mmmm', userHistory: {} };
    const { transport, received } = transportFor(port, agent);
    const client = await clientSocket();
    await transport.send(bindingSuccess(), ['127.0.0.1', client.port]);
    const rtp = Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7]);
    const rtcp = Buffer.from([0x80, 0xc9, 0, 1, 0, 0, 0, 7]);

    // Before SRTP starts (no handler yet), media takes werift's path like everything else.
    client.send(rtp, port.port);
    await until(() => received.length === 1, 'the RTP packet on werift’s path');
    expect(port.stats.media).toBe(0);

    const media: Buffer[] = [];
    agent.mediaReceiver = (data) => media.push(Buffer.from(data));
    agent.nominated = { protocol: { transport }, packetsReceived: 0, bytesReceived: 0 };
    client.send(rtp, port.port);
    client.send(rtcp, port.port);
    // DTLS (first byte 20–63) and anything else still goes to werift.
    client.send(Buffer.from([22, 0xfe, 0xfd]), port.port);
    await until(() => media.length === 2 && received.length === 2, 'the media at the handler');
    expect(media).toEqual([rtp, rtcp]);
    expect(received[1]).toBe(Buffer.from([22, 0xfe, 0xfd]).toString('latin1'));
    expect(agent.nominated).toMatchObject({ packetsReceived: 2, bytesReceived: rtp.length + rtcp.length });
    expect(port.stats.media).toBe(2);

    // A pair on another transport (another local address of the agent) is not this datagram's pair.
    agent.nominated = { protocol: { transport: {} }, packetsReceived: 0, bytesReceived: 0 };
    client.send(rtp, port.port);
    await until(() => media.length === 3, 'the third packet');
    expect(agent.nominated.packetsReceived).toBe(0);

    // SRTP stopped (the werift patch clears the handler): back to werift's path.
    agent.mediaReceiver = undefined;
    client.send(rtp, port.port);
    await until(() => received.length === 3, 'the RTP packet on werift’s path again');
    expect(port.stats.media).toBe(3);
  });

  it('binds the first free port of a range, and fails naming the range when none is left', async () => {
    const min = 20_000 + Math.floor(Math.random() * 20_000);
    const first = await SharedUdpPort.open('127.0.0.1', { min, max: min + 1 });
    cleanups.push(() => first.close());
    const second = await SharedUdpPort.open('127.0.0.1', { min, max: min + 1 });
    cleanups.push(() => second.close());
    expect([first.port, second.port].sort()).toEqual([min, min + 1]);
    const third = SharedUdpPort.open('127.0.0.1', { min, max: min + 1 });
    await expect(third).rejects.toBeInstanceOf(SfuError);
    await expect(third).rejects.toThrow(`in ${min}-${min + 1}`);
  });
});

describe('WeriftEngine with a shared port', () => {
  function udpSockets(): number {
    return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
  }

  /** One publisher and one subscriber in their own session; returns the candidates' ports the engine gave. */
  async function call(engine: WeriftEngine, sessionId: string) {
    const router = await engine.createRouter({ sessionId });
    const publisherClient = new TestPublisher();
    cleanups.push(() => publisherClient.close());
    const publisher = await router.createPublisherTransport({ streamId: `${sessionId}-stream` });
    const answer = await publisher.handleOffer(await publisherClient.createOffer());
    await publisherClient.setAnswer(answer);
    for (const candidate of publisherClient.candidates) await publisher.addRemoteCandidate(candidate);
    await until(() => publisher.connectionState === 'connected', 'the publisher to connect');
    publisherClient.start();
    const subscriberClient = new TestSubscriber();
    cleanups.push(() => subscriberClient.close());
    const subscriber = await router.createSubscriberTransport({
      streamId: `${sessionId}-stream`,
      subscriberId: `${sessionId}-subscriber`,
      producers: [...publisher.producers],
    });
    const offer = await subscriber.createOffer();
    await subscriber.handleAnswer(await subscriberClient.answer(offer));
    for (const candidate of subscriberClient.candidates) await subscriber.addRemoteCandidate(candidate);
    await until(() => subscriberClient.received.video.packets > 20, `video in ${sessionId}`);
    const ports = [answer, offer].flatMap((sdp) =>
      [...sdp.matchAll(/a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host/gi)].map((m) => Number(m[1])),
    );
    return { router, ports };
  }

  it('serves every peer connection on one port and releases it when the engine closes', async () => {
    const before = udpSockets();
    const engine = new WeriftEngine({ sharedPort: true });
    cleanups.push(() => engine.close());
    const first = await call(engine, 'session-1');
    const second = await call(engine, 'session-2');
    const [stats] = await engine.sharedPortStats();
    expect(stats).toBeDefined();
    expect(new Set([...first.ports, ...second.ports])).toEqual(new Set([stats?.port]));
    // Four server legs, each routed from (at least) its client's address.
    expect(stats?.transports).toBe(4);
    expect(stats?.routes).toBeGreaterThanOrEqual(4);
    // The media (RTP from the publishers, RTCP from the subscribers) went straight to SRTP.
    expect(stats?.media).toBeGreaterThan(40);

    // werift closes a peer connection's ICE agent asynchronously.
    first.router.close();
    let remaining = stats;
    for (let tries = 0; tries < 300 && remaining?.transports !== 2; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      [remaining] = await engine.sharedPortStats();
    }
    expect(remaining?.transports).toBe(2);
    expect(remaining?.routes).toBeLessThan(stats?.routes ?? 0);

    engine.close();
    // The four clients' sockets and the engine's one shared socket were all that was added.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await until(() => udpSockets() <= before, 'the UDP sockets to close', 3000);
  });

  it('fails creating a router, naming the range, when the port range has no free port', async () => {
    const min = 20_000 + Math.floor(Math.random() * 20_000);
    const taken = await Promise.all([
      SharedUdpPort.open('127.0.0.1', { min, max: min + 1 }),
      SharedUdpPort.open('127.0.0.1', { min, max: min + 1 }),
    ]);
    for (const port of taken) cleanups.push(() => port.close());
    const engine = new WeriftEngine({ portRange: { min, max: min + 1 } });
    cleanups.push(() => engine.close());
    await expect(engine.createRouter({ sessionId: 'session-1' })).rejects.toThrow(`in ${min}-${min + 1}`);
    expect(engine.getRouter('session-1')).toBeUndefined();
  });

  it('binds a socket per peer connection with sharedPort off', async () => {
    const engine = new WeriftEngine({ sharedPort: false });
    cleanups.push(() => engine.close());
    const { ports } = await call(engine, 'session-1');
    expect(new Set(ports).size).toBe(2);
    expect(await engine.sharedPortStats()).toEqual([]);
  });
});
