/**
 * Test support (not a test file): a small SIP user agent server on UDP 127.0.0.1, written against the
 * RFCs rather than against Parley's own code paths. It answers an INVITE with `401` (digest challenge)
 * when given credentials to check, then `180 Ringing` and `200 OK` with a PCMU + telephone-event SDP —
 * or with a chosen failure such as `486 Busy Here` — choosing PCMU or, when asked, Opus. Once answered it
 * sends a sine tone as RTP, records the RTP it receives (audio decoded to 8 kHz PCM, and RFC 4733
 * events), answers `BYE` and can send its own `BYE`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { OpusPcmDecoder } from '../../audio-connector/pcm-decoder.js';
import { PcmOpusEncoder } from '../../audio-connector/pcm-encoder.js';
import { linearToMulaw, mulawToLinear } from '../g711.js';
import { header, headerParam, parseSipMessage, type SipRequest, serializeSipMessage } from '../message.js';
import { buildRtp, parseRtp } from '../rtp.js';

/** How the UAS answers. */
export interface TestUasOptions {
  /** Challenge the first INVITE and check the digest with these credentials. */
  auth?: { username: string; password: string; realm: string };
  /** Answer with this failure instead of 200 (after 180). */
  reject?: { status: number; reason: string };
  /** Only ring (180) until the INVITE is cancelled, then answer it 487. */
  ringOnly?: boolean;
  /** Answer with Opus (payload type 111, telephone-event 96 at 48 kHz) instead of PCMU. */
  opus?: boolean;
  /** The tone it sends once answered, in Hz; null sends no media at all. */
  toneHz: number | null;
}

/** A received RFC 4733 event packet. */
export interface ReceivedEvent {
  event: number;
  end: boolean;
  /** In timestamp units of the event's clock. */
  duration: number;
  marker: boolean;
  timestamp: number;
}

/** See the file comment. */
export class TestUas {
  readonly sip: Socket;
  readonly rtp: Socket;
  readonly options: TestUasOptions;
  /** Every request received, in order. */
  readonly requests: SipRequest[] = [];
  /** Decoded µ-law samples received. */
  readonly audio: number[] = [];
  readonly events: ReceivedEvent[] = [];
  /** Problems the UAS saw (a wrong digest, an unexpected message); the test expects none. */
  readonly problems: string[] = [];
  #invite: SipRequest | null = null;
  /** The INVITE left ringing (`ringOnly`). */
  #ringing: SipRequest | null = null;
  #peer: { address: string; port: number } | null = null;
  #remoteRtp: { address: string; port: number } | null = null;
  #toneTimer: NodeJS.Timeout | undefined;
  #opusEncoder: PcmOpusEncoder | null = null;
  #opusDecoder: OpusPcmDecoder | null = null;
  readonly #tag = randomBytes(4).toString('hex');
  readonly #nonce = randomBytes(8).toString('hex');

  private constructor(sip: Socket, rtp: Socket, options: TestUasOptions) {
    this.sip = sip;
    this.rtp = rtp;
    this.options = options;
    sip.on('message', (bytes, from) => this.#onSip(bytes, from));
    rtp.on('message', (bytes) => this.#onRtp(bytes));
  }

  static async start(options: TestUasOptions): Promise<TestUas> {
    const bind = async () => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
      return socket;
    };
    return new TestUas(await bind(), await bind(), options);
  }

  /** `sip:<user>@127.0.0.1:<port>`. */
  uri(user = 'bob'): string {
    return `sip:${user}@127.0.0.1:${(this.sip.address() as AddressInfo).port}`;
  }

  /** The requests of one method. */
  received(method: string): SipRequest[] {
    return this.requests.filter((request) => request.method === method);
  }

  /** Sends `BYE` in the dialog of the answered INVITE. */
  bye(): void {
    const invite = this.#invite;
    if (!invite || !this.#peer) throw new Error('No call to hang up');
    const contact = /<([^>]+)>/.exec(header(invite, 'contact') ?? '')?.[1] ?? '';
    this.#send({
      kind: 'request',
      method: 'BYE',
      uri: contact,
      headers: [
        {
          name: 'via',
          value: `SIP/2.0/UDP 127.0.0.1:${(this.sip.address() as AddressInfo).port};branch=z9hG4bK${randomBytes(4).toString('hex')}`,
        },
        { name: 'from', value: `${header(invite, 'to')};tag=${this.#tag}` },
        { name: 'to', value: header(invite, 'from') ?? '' },
        { name: 'call-id', value: header(invite, 'call-id') ?? '' },
        { name: 'cseq', value: '1 BYE' },
      ],
      body: Buffer.alloc(0),
    });
    clearTimeout(this.#toneTimer);
  }

  /** Sends DTMF digits as RFC 4733 events (event codes 0–11), one 60 ms event each. */
  sendDigits(events: readonly number[]): void {
    const remote = this.#remoteRtp;
    if (!remote) throw new Error('No call to send digits to');
    let sequence = 1000;
    events.forEach((event, index) => {
      const timestamp = 100_000 + index * 1600;
      for (const [duration, end] of [
        [160, false],
        [320, false],
        [480, true],
        [480, true],
      ] as const) {
        const payload = Buffer.from([event, end ? 0x8a : 0x0a, duration >> 8, duration & 0xff]);
        const marker = duration === 160;
        const packet = buildRtp({
          payloadType: 96,
          marker,
          timestamp,
          sequence: sequence++,
          ssrc: 0x42,
          payload,
        });
        this.rtp.send(packet, remote.port, remote.address);
      }
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.#toneTimer);
    await Promise.all([this.#opusEncoder?.close(), this.#opusDecoder?.close()]);
    await Promise.all(
      [this.sip, this.rtp].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }

  #onSip(bytes: Buffer, from: AddressInfo): void {
    const message = parseSipMessage(bytes);
    this.#peer = { address: from.address, port: from.port };
    if (message.kind === 'response') return; // The answer to our BYE.
    this.requests.push(message);
    if (message.method === 'INVITE') {
      this.#onInvite(message);
    } else if (message.method === 'BYE' || message.method === 'CANCEL') {
      clearTimeout(this.#toneTimer);
      this.#respond(message, 200, 'OK');
      const ringing = this.#ringing;
      if (message.method === 'CANCEL' && ringing) {
        this.#ringing = null;
        this.#respond(ringing, 487, 'Request Terminated');
      }
    } else if (message.method !== 'ACK') {
      this.problems.push(`unexpected ${message.method}`);
    }
  }

  #onInvite(invite: SipRequest): void {
    const { auth, reject } = this.options;
    if (auth) {
      const credentials = header(invite, 'authorization');
      if (!credentials) {
        this.#respond(invite, 401, 'Unauthorized', [
          {
            name: 'www-authenticate',
            value: `Digest realm="${auth.realm}", nonce="${this.#nonce}", qop="auth", algorithm=MD5`,
          },
        ]);
        return;
      }
      const problem = checkDigest(credentials, auth, this.#nonce);
      if (problem) {
        this.problems.push(problem);
        this.#respond(invite, 403, 'Forbidden');
        return;
      }
    }
    this.#respond(invite, 180, 'Ringing');
    if (this.options.ringOnly) {
      this.#ringing = invite;
      return;
    }
    if (reject) {
      this.#respond(invite, reject.status, reject.reason);
      return;
    }
    this.#invite = invite;
    const sdp = invite.body.toString();
    const address = /c=IN IP4 (\S+)/.exec(sdp)?.[1] ?? '';
    const port = Number(/m=audio (\d+)/.exec(sdp)?.[1]);
    this.#remoteRtp = { address, port };
    const rtpPort = (this.rtp.address() as AddressInfo).port;
    const answer = [
      'v=0',
      'o=uas 1 1 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      ...(this.options.opus
        ? [
            `m=audio ${rtpPort} RTP/AVP 111 96`,
            'a=rtpmap:111 opus/48000/2',
            'a=rtpmap:96 telephone-event/48000',
          ]
        : [`m=audio ${rtpPort} RTP/AVP 0 96`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:96 telephone-event/8000']),
      'a=fmtp:96 0-15',
      '',
    ].join('\r\n');
    this.#respond(invite, 200, 'OK', [{ name: 'content-type', value: 'application/sdp' }], answer);
    this.#startTone();
  }

  #startTone(): void {
    const hz = this.options.toneHz;
    if (hz === null) return;
    let index = 0;
    let sequence = 1;
    const ssrc = 0x1234_5678;
    const started = performance.now();
    const sample = () => 8000 * Math.sin((2 * Math.PI * hz * index++) / 8000);
    if (this.options.opus) {
      let opusSequence = 1;
      this.#opusEncoder = new PcmOpusEncoder({
        sampleRate: 8000,
        onPacket: (payload) => {
          const remote = this.#remoteRtp;
          if (!remote) return;
          const timestamp = opusSequence * 960;
          const packet = buildRtp({
            payloadType: 111,
            marker: false,
            timestamp,
            sequence: opusSequence++,
            ssrc,
            payload,
          });
          this.rtp.send(packet, remote.port, remote.address);
        },
      });
    }
    const send = () => {
      const remote = this.#remoteRtp;
      if (!remote) return;
      if (this.#opusEncoder) {
        const pcm = Buffer.alloc(320);
        for (let i = 0; i < 160; i++) pcm.writeInt16LE(Math.round(sample()), i * 2);
        this.#opusEncoder.write(pcm);
        sequence++;
        this.#toneTimer = setTimeout(send, Math.max(0, started + (sequence - 1) * 20 - performance.now()));
        return;
      }
      const payload = Buffer.alloc(160);
      for (let i = 0; i < 160; i++) payload[i] = linearToMulaw(sample());
      const packet = buildRtp({
        payloadType: 0,
        marker: false,
        timestamp: index,
        sequence: sequence++,
        ssrc,
        payload,
      });
      this.rtp.send(packet, remote.port, remote.address);
      this.#toneTimer = setTimeout(send, Math.max(0, started + (sequence - 1) * 20 - performance.now()));
    };
    send();
  }

  #onRtp(bytes: Buffer): void {
    const packet = parseRtp(bytes);
    if (!packet) return;
    if (packet.payloadType === 0 && !this.options.opus) {
      for (const byte of packet.payload) this.audio.push(mulawToLinear(byte));
    } else if (packet.payloadType === 111 && this.options.opus) {
      this.#opusDecoder ??= new OpusPcmDecoder({
        sampleRate: 8000,
        onPcm: (samples) => this.audio.push(...samples),
      });
      this.#opusDecoder.pushRtp(bytes);
    } else if (packet.payloadType === 96) {
      this.events.push({
        event: packet.payload[0] ?? -1,
        end: ((packet.payload[1] ?? 0) & 0x80) !== 0,
        duration: packet.payload.readUInt16BE(2),
        marker: packet.marker,
        timestamp: packet.timestamp,
      });
    } else {
      this.problems.push(`RTP with payload type ${packet.payloadType}`);
    }
  }

  #respond(
    request: SipRequest,
    status: number,
    reason: string,
    extra: { name: string; value: string }[] = [],
    body = '',
  ): void {
    const to = header(request, 'to') ?? '';
    this.#send({
      kind: 'response',
      status,
      reason,
      headers: [
        ...request.headers.filter((h) => ['via', 'from', 'call-id', 'cseq'].includes(h.name)),
        {
          name: 'to',
          value: status > 100 && headerParam(to, 'tag') === undefined ? `${to};tag=${this.#tag}` : to,
        },
        { name: 'contact', value: `<sip:uas@127.0.0.1:${(this.sip.address() as AddressInfo).port}>` },
        ...extra,
      ],
      body: Buffer.from(body),
    });
  }

  #send(message: Parameters<typeof serializeSipMessage>[0]): void {
    const peer = this.#peer;
    if (peer) this.sip.send(serializeSipMessage(message), peer.port, peer.address);
  }
}

/** Checks digest credentials the RFC 2617 way, independently of Parley's `digest.ts`; null when right. */
function checkDigest(
  credentials: string,
  auth: { username: string; password: string; realm: string },
  nonce: string,
): string | null {
  const field = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(credentials)?.[1];
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  if (field('username') !== auth.username) return `digest username ${field('username')}`;
  if (field('nonce') !== nonce) return 'digest nonce';
  const ha1 = md5(`${auth.username}:${auth.realm}:${auth.password}`);
  const ha2 = md5(`INVITE:${field('uri')}`);
  const expected = md5(`${ha1}:${nonce}:${field('nc')}:${field('cnonce')}:${field('qop')}:${ha2}`);
  return field('response') === expected ? null : 'digest response';
}
