import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RtpHeader,
  SrtpAuthenticationError,
  SrtpSession,
} from 'werift';
import {
  loadNativeDatapathFrom,
  NATIVE_DATAPATH_PATH,
  requireNativeDatapath,
  selectDatapath,
} from './datapath.js';
import { type DtlsTransportWithSrtp, useNativeDecryption } from './ingress.js';
import { descriptorOf, sendQueueOf, udpHandleOf } from './send-queue.js';
import { nativeSrtpFor, type WeriftSrtpSession } from './srtp-contexts.js';

const PROFILES = [
  ['AEAD_AES_128_GCM', ProtectionProfileAeadAes128Gcm, 16],
  ['AES_CM_128_HMAC_SHA1_80', ProtectionProfileAes128CmHmacSha1_80, 10],
] as const;

/** Two werift SRTP sessions facing each other (A's local keys are B's remote keys), as after DTLS. */
function sessionPair(profile: number): { a: SrtpSession; b: SrtpSession } {
  const key1 = randomBytes(16);
  const key2 = randomBytes(16);
  const salt1 = randomBytes(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14);
  const salt2 = randomBytes(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14);
  const keys = (lk: Buffer, ls: Buffer, rk: Buffer, rs: Buffer) => ({
    keys: { localMasterKey: lk, localMasterSalt: ls, remoteMasterKey: rk, remoteMasterSalt: rs },
    profile,
  });
  return {
    a: new SrtpSession(keys(key1, salt1, key2, salt2)),
    b: new SrtpSession(keys(key2, salt2, key1, salt1)),
  };
}

/** An RTP header: version 2, optional padding bit, a one-byte-profile MID extension. */
function headerBytes(sequenceNumber: number, options: { padding?: boolean; ssrc?: number } = {}): Buffer {
  const header = Buffer.from([0x90, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 1, 0x10, 0x31, 0, 0]);
  if (options.padding) header[0] = (header[0] as number) | 0x20;
  header.writeUInt16BE(sequenceNumber, 2);
  header.writeUInt32BE(123_456, 4);
  header.writeUInt32BE(options.ssrc ?? 0x11223344, 8);
  return header;
}

function asSession(session: SrtpSession): WeriftSrtpSession {
  return session as unknown as WeriftSrtpSession;
}

/** werift's own protection of the same packet with a given rollover counter. */
function weriftProtect(session: SrtpSession, header: Buffer, body: Buffer, roc: number): Buffer {
  const parsed = RtpHeader.deSerialize(header);
  const view = {
    ssrc: parsed.ssrc,
    sequenceNumber: parsed.sequenceNumber,
    serializeSize: header.length,
    serialize: () => header,
  };
  const cipher = (
    session.localContext as unknown as { cipher: { encryptRtp(h: unknown, p: Buffer, r: number): Buffer } }
  ).cipher;
  return cipher.encryptRtp(view, body, roc);
}

function padding(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  bytes[size - 1] = size;
  return bytes;
}

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

async function udpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

describe.each(PROFILES)('native SRTP, %s', (_name, profile, tagLength) => {
  it('protects byte for byte as werift does, for any rollover counter and with padding', () => {
    const native = requireNativeDatapath();
    const { a } = sessionPair(profile);
    const pair = nativeSrtpFor(native, asSession(a));
    expect(pair?.tagLength).toBe(tagLength);
    const out = Buffer.alloc(2048);
    for (const [sequenceNumber, roc, payloadLength, paddingSize] of [
      [1, 0, 1000, 0],
      [65_535, 0, 1, 0],
      [0, 1, 300, 0],
      [4321, 0xfffffffe, 1200, 0],
      [17, 7, 250, 4],
      [9, 2, 0, 255],
    ] as const) {
      const header = headerBytes(sequenceNumber, { padding: paddingSize > 0 });
      const payload = randomBytes(payloadLength);
      const written = native.protectRtp(pair?.local as never, header, payload, paddingSize, roc, out);
      const expected = weriftProtect(a, header, Buffer.concat([payload, padding(paddingSize)]), roc);
      expect(written).toBe(expected.length);
      expect(out.subarray(0, written).equals(expected)).toBe(true);
    }
  });

  it('decrypts in place what werift protected, and werift decrypts what it protected', () => {
    const native = requireNativeDatapath();
    const { a, b } = sessionPair(profile);
    const forB = nativeSrtpFor(native, asSession(b));
    const forA = nativeSrtpFor(native, asSession(a));
    for (const sequenceNumber of [100, 101, 102]) {
      const header = headerBytes(sequenceNumber);
      const payload = randomBytes(700);
      const packet = Buffer.from(a.encrypt(payload, RtpHeader.deSerialize(header)));
      const length = native.unprotectRtp(forB?.remote as never, packet, header.length, 0);
      expect(length).toBe(header.length + payload.length);
      expect(packet.subarray(header.length, length).equals(payload)).toBe(true);

      const out = Buffer.alloc(2048);
      const written = native.protectRtp(forA?.local as never, header, payload, 0, 0, out);
      const decrypted = b.decrypt(Buffer.from(out.subarray(0, written)));
      expect(decrypted.subarray(header.length).equals(payload)).toBe(true);
    }
  });

  it('refuses a packet that does not authenticate: a flipped bit, the wrong rollover counter, a short packet', () => {
    const native = requireNativeDatapath();
    const { a } = sessionPair(profile);
    const pair = nativeSrtpFor(native, asSession(a));
    const out = Buffer.alloc(2048);
    const header = headerBytes(5);
    const written = native.protectRtp(pair?.local as never, header, randomBytes(200), 0, 3, out);
    // Looped back through the same keys: the local context decrypts its own output only via a pair
    // made from the same keys, so build one whose remote keys are A's local keys.
    const mirror = nativeSrtpFor(native, {
      localContext: asSession(a).localContext,
      remoteContext: asSession(a).localContext,
    });
    const good = Buffer.from(out.subarray(0, written));
    expect(native.unprotectRtp(mirror?.remote as never, Buffer.from(good), header.length, 3)).toBe(
      written - tagLength,
    );
    const flipped = Buffer.from(good);
    flipped[header.length + 10] = (flipped[header.length + 10] as number) ^ 1;
    expect(native.unprotectRtp(mirror?.remote as never, flipped, header.length, 3)).toBe(-1);
    expect(native.unprotectRtp(mirror?.remote as never, Buffer.from(good), header.length, 4)).toBe(-1);
    expect(
      native.unprotectRtp(
        mirror?.remote as never,
        good.subarray(0, header.length + tagLength - 1),
        header.length,
        3,
      ),
    ).toBe(-1);
  });
});

describe('native SRTP arguments', () => {
  it('names the argument it rejects', () => {
    const native = requireNativeDatapath();
    expect(() => native.createSrtpContext(2, randomBytes(16), randomBytes(12), null)).toThrow(/profile/);
    expect(() => native.createSrtpContext(7, randomBytes(15), randomBytes(12), null)).toThrow(/sessionKey/);
    expect(() => native.createSrtpContext(7, randomBytes(16), randomBytes(8), null)).toThrow(/sessionSalt/);
    expect(() => native.createSrtpContext(1, randomBytes(16), randomBytes(14), null)).toThrow(/authKey/);
    const context = native.createSrtpContext(7, randomBytes(16), randomBytes(12), null);
    const out = Buffer.alloc(64);
    expect(() => native.protectRtp(context, Buffer.alloc(8), Buffer.alloc(1), 0, 0, out)).toThrow(/header/);
    expect(() => native.protectRtp(context, headerBytes(1), Buffer.alloc(1), 256, 0, out)).toThrow(
      /paddingSize/,
    );
    expect(() => native.protectRtp(context, headerBytes(1), Buffer.alloc(1), 0, -1, out)).toThrow(/roc/);
    expect(() => native.protectRtp(context, headerBytes(1), Buffer.alloc(100), 0, 0, out)).toThrow(
      /out is too small/,
    );
    expect(() => native.protectRtp({} as never, headerBytes(1), Buffer.alloc(1), 0, 0, out)).toThrow(
      /context/,
    );
    expect(() => native.createDestination('example.com', 5)).toThrow(/ip/);
    expect(() => native.createDestination('127.0.0.1', 0)).toThrow(/port/);
    expect(() => native.createUdpSender(-1)).toThrow(/fd/);
  });

  it('says why an addon cannot be used: another platform, not built, not an addon', async () => {
    expect(loadNativeDatapathFrom(NATIVE_DATAPATH_PATH, 'darwin').reason).toMatch(
      /needs Linux \(this is darwin\)/,
    );
    expect(loadNativeDatapathFrom('/nonexistent/parley-datapath.node').reason).toMatch(
      /is not built .*build:native/,
    );
    const directory = await mkdtemp(join(tmpdir(), 'parley-datapath-'));
    try {
      const bogus = join(directory, 'bogus.node');
      await writeFile(bogus, 'not an ELF file');
      expect(loadNativeDatapathFrom(bogus).reason).toMatch(/does not load/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    expect(loadNativeDatapathFrom(NATIVE_DATAPATH_PATH).datapath).toBeDefined();
  });

  it('selects the datapath asked for, and fails loudly only when native is required but missing', () => {
    expect(selectDatapath('javascript')).toBeUndefined();
    expect(selectDatapath('auto')).toBe(requireNativeDatapath());
    expect(selectDatapath('native')).toBe(requireNativeDatapath());
  });
});

describe('native sends', () => {
  it('batches protected packets per turn with sendmmsg, and the receiver decrypts them in order', async () => {
    const native = requireNativeDatapath();
    const { a, b } = sessionPair(ProtectionProfileAeadAes128Gcm);
    const pair = nativeSrtpFor(native, asSession(a));
    const sender = await udpSocket();
    const receiver = await udpSocket();
    const received: Buffer[] = [];
    receiver.on('message', (message) => received.push(b.decrypt(message)));
    const queue = sendQueueOf(native);
    const udp = queue.senderFor(sender);
    expect(udp).not.toBeNull();
    const destination = native.createDestination('127.0.0.1', receiver.address().port);
    const before = native.stats();
    const payloads = Array.from({ length: 100 }, () => randomBytes(500));
    for (const [index, payload] of payloads.entries()) {
      const size = native.queueRtp(
        pair?.local as never,
        headerBytes(index),
        payload,
        0,
        0,
        udp as never,
        destination,
      );
      expect(size).toBe(20 + 500 + 16);
      queue.queued();
    }
    await new Promise((resolve) => setImmediate(resolve));
    const after = native.stats();
    expect(after.sentPackets - before.sentPackets).toBe(100);
    // 64 slots: one flush when the queue filled, one at the end of the turn.
    expect(after.sendCalls - before.sendCalls).toBe(2);
    expect(after.queued).toBe(0);
    await until(() => received.length === 100);
    for (const [index, packet] of received.entries()) {
      expect(packet.readUInt16BE(2)).toBe(index);
      expect(packet.subarray(20).equals(payloads[index] as Buffer)).toBe(true);
    }
  });

  it('queues plain datagrams byte for byte in the same flush as protected packets, in order', async () => {
    const native = requireNativeDatapath();
    const { a } = sessionPair(ProtectionProfileAeadAes128Gcm);
    const pair = nativeSrtpFor(native, asSession(a));
    const sender = await udpSocket();
    const receiver = await udpSocket();
    const received: Buffer[] = [];
    receiver.on('message', (message) => received.push(message));
    const queue = sendQueueOf(native);
    const udp = queue.senderFor(sender);
    const destination = native.createDestination('127.0.0.1', receiver.address().port);
    const rtcp = randomBytes(80);
    const before = native.stats();
    expect(native.queueDatagram(rtcp, udp as never, destination)).toBe(80);
    native.queueRtp(pair?.local as never, headerBytes(7), randomBytes(100), 0, 0, udp as never, destination);
    expect(native.queueDatagram(Buffer.from('stun'), udp as never, destination)).toBe(4);
    queue.queued();
    // Too big for a slot, or empty: not queued (the caller sends it another way).
    expect(native.queueDatagram(Buffer.alloc(4096), udp as never, destination)).toBe(0);
    expect(native.queueDatagram(Buffer.alloc(0), udp as never, destination)).toBe(0);
    expect(() => native.queueDatagram('x' as never, udp as never, destination)).toThrow(/data/);
    await new Promise((resolve) => setImmediate(resolve));
    const after = native.stats();
    expect(after.sentPackets - before.sentPackets).toBe(3);
    expect(after.sendCalls - before.sendCalls).toBe(1);
    await until(() => received.length === 3);
    expect(received[0]?.equals(rtcp)).toBe(true);
    expect(received[1]?.readUInt16BE(2)).toBe(7);
    expect(received[2]?.toString()).toBe('stun');
  });

  it('reads a socket in batches: the datagrams back to back, with offset, length, address and port', async () => {
    const native = requireNativeDatapath();
    const socket = await udpSocket();
    const client = await udpSocket();
    const handle = udpHandleOf(socket);
    const fd = descriptorOf(socket);
    expect(handle).toBeDefined();
    handle?.recvStop();
    const batches: { data: Buffer; table: number[]; count: number }[] = [];
    const receiver = native.createUdpReceiver(fd as number, (data, table, count) => {
      batches.push({ data: Buffer.from(data), table: [...table], count });
    });
    const sent = ['first', 'second datagram', 'third'];
    for (const text of sent) client.send(text, socket.address().port, '127.0.0.1');
    await until(() => batches.reduce((n, b) => n + b.count, 0) === 3);
    const datagrams = batches.flatMap(({ data, table, count }) =>
      Array.from({ length: count }, (_, i) => ({
        text: data.toString('utf8', table[i * 4], (table[i * 4] as number) + (table[i * 4 + 1] as number)),
        address: table[i * 4 + 2],
        port: table[i * 4 + 3],
      })),
    );
    expect(datagrams.map((d) => d.text)).toEqual(sent);
    for (const d of datagrams) expect(d).toMatchObject({ address: 0x7f000001, port: client.address().port });
    expect(native.receiverStats(receiver)).toEqual({ batches: batches.length, datagrams: 3 });

    native.closeUdpReceiver(receiver);
    native.closeUdpReceiver(receiver); // idempotent
    client.send('after close', socket.address().port, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(native.receiverStats(receiver).datagrams).toBe(3);
    expect(() => native.createUdpReceiver(-1, () => undefined)).toThrow(/fd/);
    expect(() => native.createUdpReceiver(fd as number, 'x' as never)).toThrow(/onBatch/);
  });

  it('drops what was queued for a socket closed before the flush, and releases its descriptor', async () => {
    const native = requireNativeDatapath();
    const { a } = sessionPair(ProtectionProfileAeadAes128Gcm);
    const pair = nativeSrtpFor(native, asSession(a));
    const sender = createSocket('udp4');
    sender.bind(0, '127.0.0.1');
    await once(sender, 'listening');
    const receiver = await udpSocket();
    let received = 0;
    receiver.on('message', () => received++);
    const queue = sendQueueOf(native);
    const udp = queue.senderFor(sender);
    const destination = native.createDestination('127.0.0.1', receiver.address().port);
    native.queueRtp(pair?.local as never, headerBytes(1), randomBytes(10), 0, 0, udp as never, destination);
    const before = native.stats();
    sender.close();
    await once(sender, 'close');
    native.flushRtp();
    const after = native.stats();
    expect(after.droppedPackets - before.droppedPackets).toBe(1);
    expect(after.sentPackets).toBe(before.sentPackets);
    // Closed: nothing more can be queued on it.
    expect(
      native.queueRtp(pair?.local as never, headerBytes(2), randomBytes(10), 0, 0, udp as never, destination),
    ).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toBe(0);
  });
});

describe('native decryption of a werift transport', () => {
  it('replaces the incoming cipher: same plaintext and padding, authentication failures as werift reports them', () => {
    const native = requireNativeDatapath();
    const { a, b } = sessionPair(ProtectionProfileAeadAes128Gcm);
    const transport = { srtp: b } as unknown as DtlsTransportWithSrtp;
    expect(useNativeDecryption(native, {})).toBe(false);
    expect(useNativeDecryption(native, transport)).toBe(true);
    expect(useNativeDecryption(native, transport)).toBe(true);
    const before = native.stats().unprotectedPackets;

    const header = headerBytes(40, { padding: true });
    const body = Buffer.concat([randomBytes(300), padding(3)]);
    const packet = a.encrypt(body, RtpHeader.deSerialize(header));
    const decrypted = b.decrypt(Buffer.from(packet));
    expect(decrypted.subarray(header.length).equals(body)).toBe(true);
    expect(native.stats().unprotectedPackets).toBe(before + 1);

    const tampered = Buffer.from(packet);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0xff;
    expect(() => b.decrypt(tampered)).toThrow(SrtpAuthenticationError);
  });
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
