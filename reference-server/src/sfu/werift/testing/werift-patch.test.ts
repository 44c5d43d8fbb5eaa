/**
 * Guards the hunks of `patches/werift@0.25.2.patch` that the engine's performance and robustness rely
 * on: if a werift upgrade or a regenerated patch drops one, this fails instead of the SFU quietly
 * getting five times slower per packet.
 */
import { createHmac, KeyObject, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import {
  classes,
  Event,
  getBit,
  int,
  Message,
  methods,
  parseMessage,
  RTCPeerConnection,
  RTCRtpReceiver,
  RTCRtpSender,
  RtpHeader,
  RtpPacket,
  SrtpAuthenticationError,
  SrtpSession,
} from 'werift';

/** werift's SRTP protection profiles: AES-CM with HMAC-SHA1-80, and AEAD AES-128-GCM. */
const PROFILES = { aesCm: 0x0001, aesGcm: 0x0007 } as const;

function sessions(profile: number): { sender: SrtpSession; receiver: SrtpSession } {
  const saltLength = profile === PROFILES.aesGcm ? 12 : 14;
  const a = { key: randomBytes(16), salt: randomBytes(saltLength) };
  const b = { key: randomBytes(16), salt: randomBytes(saltLength) };
  const keys = (local: typeof a, remote: typeof a) => ({
    localMasterKey: local.key,
    localMasterSalt: local.salt,
    remoteMasterKey: remote.key,
    remoteMasterSalt: remote.salt,
  });
  return {
    sender: new SrtpSession({ keys: keys(a, b), profile: profile as never }),
    receiver: new SrtpSession({ keys: keys(b, a), profile: profile as never }),
  };
}

describe('werift patch', () => {
  for (const [name, profile] of Object.entries(PROFILES)) {
    it(`keeps ${name} SRTP session keys as KeyObjects and still round-trips packets`, () => {
      const { sender, receiver } = sessions(profile);
      // Engine-internal werift state: the cipher's keys (Buffers before the patch).
      const cipher = (sender.localContext as unknown as { cipher: { srtpSessionKey: unknown } }).cipher;
      expect(cipher.srtpSessionKey).toBeInstanceOf(KeyObject);

      const payload = randomBytes(900);
      const header = new RtpHeader({ ssrc: 0x1234, payloadType: 96, sequenceNumber: 65_535, timestamp: 9 });
      for (const sequenceNumber of [65_535, 0, 1]) {
        header.sequenceNumber = sequenceNumber;
        const decrypted = receiver.decrypt(sender.encrypt(payload, header));
        expect(decrypted.subarray(12)).toEqual(payload);
        expect(decrypted.readUInt16BE(2)).toBe(sequenceNumber);
      }
    });
  }

  it('reads header bits by arithmetic (the original built a binary string per call, six per RTP packet)', () => {
    // The patched function's source has no string conversion left.
    expect(getBit.toString()).not.toContain('toString');
    // Same results as the original for every byte, start and length (MSB first).
    for (let byte = 0; byte < 256; byte++) {
      for (let start = 0; start < 8; start++) {
        for (let length = 1; start + length <= 8; length++) {
          const expected = Number.parseInt(
            byte
              .toString(2)
              .padStart(8, '0')
              .slice(start, start + length),
            2,
          );
          expect(getBit(byte, start, length)).toBe(expected);
        }
      }
    }
    // Version 2, padding, one CSRC; marker, payload type 96; then a payload byte and 2 bytes of padding.
    const packet = Buffer.from([0xa1, 0xe0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 3, 1, 0, 2]);
    const header = RtpHeader.deSerialize(packet);
    expect(header).toMatchObject({
      version: 2,
      padding: true,
      extension: false,
      csrcLength: 1,
      marker: true,
    });
    expect(header.payloadType).toBe(96);
    expect(header.csrc).toEqual([3]);
  });

  it('runs an event with no promise subscribers without creating a promise, and still runs those it has', async () => {
    const event = new Event<[number]>();
    const seen: number[] = [];
    event.subscribe((value) => seen.push(value));
    // werift started an async function per execute (whose promise's catch is looked up here).
    const originalCatch = Promise.prototype.catch;
    let promises = 0;
    Promise.prototype.catch = function (this: Promise<unknown>, ...args) {
      promises++;
      return originalCatch.apply(this, args);
    } as typeof Promise.prototype.catch;
    try {
      event.execute(1);
      event.execute(2);
    } finally {
      Promise.prototype.catch = originalCatch;
    }
    expect(seen).toEqual([1, 2]);
    expect(promises).toBe(0);

    // An awaited subscriber (werift's `queuingSubscribe`) still runs, in order.
    const awaited: number[] = [];
    event.queuingSubscribe(async (value) => {
      awaited.push(value);
    });
    event.execute(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(awaited).toEqual([3]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('parses CSRCs and one-byte, two-byte and unknown-profile header extensions as werift always did', () => {
    // Version 2, extension bit, two CSRCs; payload type 96; one-byte extensions 1 (2 bytes), padding, 3 (1 byte).
    const oneByte = Buffer.from([
      0x92, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 8, 0xbe, 0xde, 0, 2, 0x11, 0xaa, 0xbb,
      0x00, 0x30, 0xcc, 0, 0, 9, 9,
    ]);
    const one = RtpHeader.deSerialize(oneByte);
    expect(one.csrc).toEqual([7, 8]);
    expect(one.extensionProfile).toBe(0xbede);
    expect(one.extensions).toEqual([
      { id: 1, payload: Buffer.from([0xaa, 0xbb]) },
      { id: 3, payload: Buffer.from([0xcc]) },
    ]);
    expect(one.payloadOffset).toBe(32);

    // Two-byte profile (0x1000): extensions 5 (1 byte) and 6 (3 bytes); no CSRC.
    const twoByte = Buffer.from([
      0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0, 2, 5, 1, 0xdd, 6, 3, 1, 2, 3, 0, 4,
    ]);
    const two = RtpHeader.deSerialize(twoByte);
    expect(two.csrc).toEqual([]);
    expect(two.extensions).toEqual([
      { id: 5, payload: Buffer.from([0xdd]) },
      { id: 6, payload: Buffer.from([1, 2, 3]) },
    ]);
    expect(two.payloadOffset).toBe(24);

    // Any other profile: one extension holding the whole block.
    const other = RtpHeader.deSerialize(
      Buffer.from([0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0, 1, 1, 2, 3, 4, 0xee]),
    );
    expect(other.extensions).toEqual([{ id: 0, payload: Buffer.from([1, 2, 3, 4]) }]);
    expect(other.payloadOffset).toBe(20);
    // A truncated header still throws, as before.
    expect(() => RtpHeader.deSerialize(oneByte.subarray(0, 14))).toThrow(RangeError);
  });

  it('keeps event methods on the prototype (no closures per event) and binds what it hands out', async () => {
    const event = new Event<[string]>();
    for (const method of ['execute', 'subscribe', 'complete', 'error', 'once', 'asPromise', 'watch']) {
      expect(Object.hasOwn(event, method)).toBe(false);
    }
    const seen: string[] = [];
    const { subscribe } = event.returnListener;
    subscribe((value) => seen.push(value));
    const { execute, complete } = event.returnTrigger;
    const next = event.asPromise();
    execute('a');
    expect(await next).toEqual(['a']);
    complete();
    expect(seen).toEqual(['a']);
    expect(event.ended).toBe(true);
  });
  it('signs and checks STUN MESSAGE-INTEGRITY with a key made once per password, with the same bytes', () => {
    const password = 'ice-password-0123456789';
    const request = new Message(methods.BINDING, classes.REQUEST);
    request.setAttribute('USERNAME', 'remote:local');
    // werift hands a fresh Buffer per message; the patched HMAC reuses one KeyObject for the password.
    request.addMessageIntegrity(Buffer.from(password, 'utf8'));
    const signed = request.bytes;
    // The value is RFC 5389's: HMAC-SHA1 over the message up to the attribute, its length covering it.
    const integrityAt = signed.length - 24;
    const covered = Buffer.from(signed.subarray(0, integrityAt));
    covered.writeUInt16BE(integrityAt - 20 + 24, 2);
    const expected = createHmac('sha1', Buffer.from(password, 'utf8')).update(covered).digest();
    expect(Buffer.from(request.getAttributeValue('MESSAGE-INTEGRITY') as Buffer)).toEqual(expected);
    // Checking: the right password passes (twice: the cached key), a wrong one fails.
    expect(parseMessage(signed, Buffer.from(password, 'utf8'))).toBeDefined();
    expect(parseMessage(signed, Buffer.from(password, 'utf8'))).toBeDefined();
    expect(parseMessage(signed, Buffer.from('another-password', 'utf8'))).toBeUndefined();
  });
  it('leaves an SSRC rollover state untouched by a packet that fails authentication (updated in place, restored)', () => {
    const { sender, receiver } = sessions(PROFILES.aesCm);
    const header = new RtpHeader({ ssrc: 0x4321, payloadType: 96, sequenceNumber: 65_535, timestamp: 1 });
    receiver.decrypt(sender.encrypt(randomBytes(100), header));
    // Engine-internal werift state: the receiving context's per-SSRC rollover state.
    const states = (receiver.remoteContext as unknown as { srtpSSRCStates: Record<number, object> })
      .srtpSSRCStates;
    const state = states[0x4321];
    const before = { ...state };
    // A forged packet just past the wrap would move the counter to the next cycle if it were kept.
    header.sequenceNumber = 3;
    const forged = sender.encrypt(randomBytes(100), header);
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 0xff;
    expect(() => receiver.decrypt(forged)).toThrow(SrtpAuthenticationError);
    expect(states[0x4321]).toBe(state);
    expect(state).toEqual(before);
    // The genuine packet then decrypts in the next cycle.
    const genuine = receiver.decrypt(sender.encrypt(Buffer.alloc(100, 7), header));
    expect(genuine.subarray(12)).toEqual(Buffer.alloc(100, 7));
  });

  it('gives ICE agents 64-bit username fragments, new ones on restart (a shared port tells agents apart by them)', async () => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    try {
      pc.addTransceiver('audio', { direction: 'sendonly' });
      const first = /a=ice-ufrag:(\S+)/.exec((await pc.createOffer()).sdp)?.[1];
      expect(first).toMatch(/^[0-9a-f]{16}$/);
      const restarted = /a=ice-ufrag:(\S+)/.exec((await pc.createOffer({ iceRestart: true })).sdp)?.[1];
      expect(restarted).toMatch(/^[0-9a-f]{16}$/);
      expect(restarted).not.toBe(first);
    } finally {
      await pc.close();
    }
  });

  it('builds ICE transports with the configured factory instead of binding a socket', async () => {
    const requests: string[] = [];
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUdpTransportFactory: async ({ address, connection }) => {
        requests.push(`${address} ${connection.localUsername}`);
        return {
          type: 'udp',
          closed: false,
          address: socket.address(),
          onData: () => undefined,
          send: async () => undefined,
          close: async () => undefined,
        };
      },
    });
    try {
      pc.addTransceiver('audio', { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const sdp = pc.localDescription?.sdp ?? '';
      const ufrag = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
      expect(requests).toEqual([`127.0.0.1 ${ufrag}`]);
      expect(sdp).toContain(`127.0.0.1 ${socket.address().port} typ host`);
    } finally {
      await pc.close();
      socket.close();
    }
  });
  it('publishes the DTLS transport’s SRTP handler on its ICE connection while SRTP runs (the shared port’s media lane)', async () => {
    // Loopback only (CI runs in a network namespace with nothing else): werift leaves 127.0.0.1 out unless told.
    const loopback = {
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
    };
    const offerer = new RTCPeerConnection(loopback);
    const answerer = new RTCPeerConnection(loopback);
    try {
      offerer.addTransceiver('audio', { direction: 'sendonly' });
      await offerer.setLocalDescription(await offerer.createOffer());
      await answerer.setRemoteDescription(offerer.localDescription as never);
      await answerer.setLocalDescription(await answerer.createAnswer());
      await offerer.setRemoteDescription(answerer.localDescription as never);
      const connected = (pc: RTCPeerConnection) =>
        new Promise<void>((resolve) => {
          if (pc.connectionState === 'connected') resolve();
          pc.connectionStateChange.subscribe((state) => state === 'connected' && resolve());
        });
      await Promise.all([connected(offerer), connected(answerer)]);
      for (const pc of [offerer, answerer]) {
        const [dtls] = pc.getTransceivers().map((t) => t.dtlsTransport);
        const connection = dtls?.iceTransport.connection as { mediaReceiver?: unknown } | undefined;
        expect(typeof dtls?.receiveMedia).toBe('function');
        expect(connection?.mediaReceiver).toBe(dtls?.receiveMedia);
      }
      const connection = answerer.getTransceivers()[0]?.dtlsTransport.iceTransport.connection as
        | { mediaReceiver?: unknown }
        | undefined;
      expect(connection?.mediaReceiver).toBeDefined();
      await answerer.close();
      expect(connection?.mediaReceiver).toBeUndefined();
    } finally {
      await offerer.close();
      await answerer.close();
    }
  }, 20_000);
  it('sends audio RTCP reports every 5 s on average and video reports every second (Chrome’s own intervals)', async () => {
    const sent: string[] = [];
    const transport = (kind: string) => ({ sendRtcp: async () => void sent.push(kind) });
    const senders = (['audio', 'video'] as const).map((kind) => {
      const sender = new RTCRtpSender(kind);
      Object.assign(sender, { dtlsTransport: transport(`${kind} sender`) });
      void sender.runRtcp();
      return sender;
    });
    const receivers = (['audio', 'video'] as const).map((kind) => {
      const receiver = new RTCRtpReceiver({ debug: {} } as never, kind, 1);
      Object.assign(receiver, { dtlsTransport: transport(`${kind} receiver`) });
      void receiver.runRtcp();
      return receiver;
    });
    try {
      // Video's first report comes 0.5-1.5 s after the loop starts, audio's 2.5-7.5 s after.
      await new Promise((resolve) => setTimeout(resolve, 1700));
      expect(sent).toContain('video sender');
      expect(sent).toContain('video receiver');
      expect(sent.filter((kind) => kind.startsWith('audio'))).toEqual([]);
    } finally {
      for (const sender of senders) sender.stop();
      for (const receiver of receivers) receiver.stop();
    }
  });

  it('keeps receiver statistics with one clock read per packet and the header size as parsed', () => {
    // werift's receiver as this test drives it (private members).
    const receiver = new RTCRtpReceiver({ debug: {} } as never, 'video', 1) as unknown as {
      codecs: Record<number, object>;
      handleRTP(packet: RtpPacket, extensions: object, track: undefined): void;
      remoteStreams: Record<number, object>;
    };
    receiver.codecs = { 96: { payloadType: 96, clockRate: 90_000, name: 'VP8' } };
    const header = (sequenceNumber: number, timestamp: number) =>
      new RtpHeader({ ssrc: 7, payloadType: 96, sequenceNumber, timestamp });
    try {
      receiver.handleRTP(new RtpPacket(header(1, 0), Buffer.alloc(10)), {}, undefined);
    } catch {
      // No track behind this receiver; the statistics were taken first.
    }
    const statistics = receiver.remoteStreams[7] as {
      add(packet: RtpPacket, now?: number): void;
      headerBytesReceived: number;
      lastPacketReceivedTimestamp: number;
      jitter_q4: number;
      packets_received: number;
    };
    expect(statistics.headerBytesReceived).toBe(12);

    // A packet parsed from the wire whose one-byte extension block carries padding (RFC 8285 §4.2): 4 bytes
    // of block header and 8 of elements, one 2-byte element. werift's recomputed size says 12 + 8.
    const wire = Buffer.concat([
      Buffer.from([0x90, 96, 0, 2, 0, 0, 0x0b, 0xb8, 0, 0, 0, 7]),
      Buffer.from([0xbe, 0xde, 0, 2, 0x11, 0xab, 0xcd, 0, 0, 0, 0, 0]),
      Buffer.alloc(20),
    ]);
    const parsed = RtpPacket.deSerialize(wire);
    expect(parsed.header.payloadOffset).toBe(24);
    expect(parsed.header.serializeSize).toBe(20);
    const before = performance.timeOrigin + performance.now();
    statistics.add(parsed);
    const after = performance.timeOrigin + performance.now();
    expect(statistics.headerBytesReceived).toBe(12 + 24);
    expect(statistics.lastPacketReceivedTimestamp).toBeGreaterThanOrEqual(before);
    expect(statistics.lastPacketReceivedTimestamp).toBeLessThanOrEqual(after);

    // Jitter (RFC 3550 A.8) from explicit arrival times, as werift always computed it: packets 3000 ticks
    // apart arriving 0.1 s (9000 ticks) apart.
    statistics.add(new RtpPacket(header(3, 6000), Buffer.alloc(10)), 100);
    const jitter = statistics.jitter_q4;
    statistics.add(new RtpPacket(header(4, 9000), Buffer.alloc(10)), 100.1);
    expect(statistics.packets_received).toBe(4);
    expect(statistics.jitter_q4).toBe(jitter + 6000 - ((jitter + 8) >> 4));
  });
  it('truncates numbers without formatting them as strings, with parseInt’s results for every input', () => {
    const values = [
      0,
      -0,
      0.5,
      -0.5,
      1.5e14 + 0.7,
      -123.9,
      2 ** 53,
      1e-6,
      9.99e20,
      1e-7,
      1e21,
      Number.NaN,
      Infinity,
    ];
    for (const value of values) expect(int(value)).toBe(Number.parseInt(value as unknown as string, 10));
    expect(int('12px' as unknown as number)).toBe(12);
    // The hot path: a number in plain decimals is truncated, not printed and parsed.
    const source = int.toString();
    expect(source).toContain('Math.trunc');
  });
  it('decrypts interleaved SSRCs each with its own rollover state, keeping the two most recent at hand', () => {
    const { sender, receiver } = sessions(PROFILES.aesGcm);
    // Above 2^30 (heap numbers as keys), below it, and a third that evicts one of them.
    const ssrcs = [0xf000_0001, 0x1234, 0xc000_0002];
    const context = receiver.remoteContext as unknown as {
      srtpSSRCStates: Record<number, { rolloverCounter: number }>;
      recentSsrcA: number;
      recentSsrcB: number;
    };
    for (let step = 0; step < 12; step++) {
      // Every SSRC crosses the sequence-number wrap (65534, 65535, 0, 1).
      const sequenceNumber = (65_534 + Math.floor(step / ssrcs.length)) & 0xffff;
      const ssrc = ssrcs[step % ssrcs.length] as number;
      const header = new RtpHeader({ ssrc, payloadType: 96, sequenceNumber, timestamp: step });
      const payload = Buffer.alloc(40, step);
      const decrypted = receiver.decrypt(sender.encrypt(payload, header));
      expect(decrypted.subarray(12)).toEqual(payload);
    }
    for (const ssrc of ssrcs) expect(context.srtpSSRCStates[ssrc]?.rolloverCounter).toBe(1);
    expect([context.recentSsrcA, context.recentSsrcB]).toEqual([0xc000_0002, 0x1234]);
  });
});
