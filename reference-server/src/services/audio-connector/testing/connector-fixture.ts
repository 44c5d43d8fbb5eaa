/**
 * Test support (not a test file): a real app (memory store, werift SFU on 127.0.0.1) with helpers to
 * create sessions, mint client tokens, publish a sine tone into a session through the SFU, and a local
 * WebSocket server that records what an Audio Connector sends it. Also the audio checks: tone power by
 * the Goertzel algorithm and the dominant frequency among candidates.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenTok from 'opentok';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AppOptions } from '../../../app.js';
import { RtpTestSource } from '../../../recording/testing/rtp-test-source.js';
import type { SessionRecord, TokenRole } from '../../../store/types.js';
import { createHarness, type Harness, projectAuth } from '../../../testing/harness.js';
import { encodeSessionId } from '../../../tokens/session-id.js';
import { rtpPayload } from '../pcm-decoder.js';
import { SessionClient } from '../session-client.js';

/** What one WebSocket connection of a connector delivered. */
export interface ReceivedSocket {
  socket: WebSocket;
  /** The handshake's request headers. */
  headers: IncomingHttpHeaders;
  path: string;
  /** Text messages, parsed. */
  texts: Record<string, unknown>[];
  /** Binary messages with their arrival time (`performance.now()`). */
  frames: { at: number; bytes: Buffer }[];
  closed: boolean;
}

/** A WebSocket server that records every connection. */
export class AudioReceiver {
  readonly server: WebSocketServer;
  readonly sockets: ReceivedSocket[] = [];

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (socket, request) => {
      const received: ReceivedSocket = {
        socket,
        headers: request.headers,
        path: request.url ?? '',
        texts: [],
        frames: [],
        closed: false,
      };
      this.sockets.push(received);
      socket.on('message', (data, isBinary) => {
        const bytes = Buffer.from(data as Buffer);
        if (isBinary) received.frames.push({ at: performance.now(), bytes });
        else received.texts.push(JSON.parse(bytes.toString('utf8')) as Record<string, unknown>);
      });
      socket.on('close', () => {
        received.closed = true;
      });
    });
  }

  static async start(): Promise<AudioReceiver> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new AudioReceiver(server);
  }

  /** `ws://127.0.0.1:<port><path>`. */
  uri(path = '/audio'): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A tone published into a session by an in-process participant. */
export interface PublishedTone {
  client: SessionClient;
  streamId: string;
  close(): Promise<void>;
}

/** The app and its helpers. */
export interface ConnectorFixture {
  harness: Harness;
  createSession(overrides?: Partial<Pick<SessionRecord, 'mediaMode' | 'e2ee'>>): Promise<string>;
  token(sessionId: string, role?: TokenRole): string;
  /** Calls `connectAudio` with `body`. */
  connect(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Publishes a sine tone of `hz` into the session (Opus RTP through the SFU) as its own connection. */
  publishTone(sessionId: string, hz: number): Promise<PublishedTone>;
  close(): Promise<void>;
}

let toneCount = 0;

/** Starts the app (with `options` for the app, such as shorter SIP timeouts); see the file comment. */
export async function startConnectorFixture(options: Partial<AppOptions> = {}): Promise<ConnectorFixture> {
  const harness = await createHarness({ recording: null, ...options });
  const { project, app } = harness;
  const opentok = new OpenTok(project.apiKey, project.apiSecret);
  const tones: PublishedTone[] = [];
  return {
    harness,
    async createSession(overrides = {}) {
      const now = Date.now();
      const sessionId = encodeSessionId({ ...project, location: null, createdAt: now });
      await harness.store.sessions.create({
        sessionId,
        applicationId: project.applicationId,
        mediaMode: 'routed',
        archiveMode: 'manual',
        location: null,
        e2ee: false,
        archiveName: null,
        archiveResolution: null,
        createdAt: now,
        ...overrides,
      });
      return sessionId;
    },
    token(sessionId, role = 'publisher') {
      return opentok.generateToken(sessionId, { role });
    },
    async connect(body) {
      const response = await app.inject({
        method: 'POST',
        url: `/v2/project/${project.apiKey}/connect`,
        headers: { ...(await projectAuth(project)), 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
    },
    async publishTone(sessionId, hz) {
      const session = app.realtime.registry.open({
        sessionId,
        project: { applicationId: project.applicationId, apiKey: project.apiKey },
        mediaMode: 'routed',
        e2ee: false,
      });
      toneCount++;
      const client = SessionClient.join({
        registry: app.realtime.registry,
        session,
        connectionId: `tone-${toneCount}`,
        token: {
          format: 't1',
          applicationId: project.applicationId,
          apiKey: project.apiKey,
          sessionId,
          role: 'publisher',
          connectionData: `tone=${hz}`,
          initialLayoutClassList: [],
          issuedAt: null,
          expiresAt: Date.now() / 1000 + 3600,
          nonce: null,
        },
        userAgent: 'test tone',
        now: Date.now,
        onEnded: () => undefined,
      });
      const streamId = `tone-stream-${toneCount}`;
      const publisher = await client.publishAudio(streamId, `${hz} Hz`);
      const media = new RtpTestSource({ video: null, toneHz: hz });
      media.subscribe('audio', (packet) => {
        const payload = rtpPayload(packet);
        if (payload) publisher.sendOpus(Buffer.from(payload));
      });
      await media.start();
      const tone: PublishedTone = {
        client,
        streamId,
        async close() {
          await media.close();
          await client.leave();
        },
      };
      tones.push(tone);
      return tone;
    },
    async close() {
      await Promise.all(tones.splice(0).map((tone) => tone.close()));
      await harness.close();
    },
  };
}

/** Little-endian 16-bit samples of PCM bytes. */
export function samplesOf(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}

/** The power of `hz` in `samples` (Goertzel), normalised by the number of samples. */
export function tonePower(samples: Int16Array, rate: number, hz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power =
    previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return power / samples.length;
}

/** The candidate frequency with the most power in `samples`. */
export function dominantTone(samples: Int16Array, rate: number, candidates: readonly number[]): number {
  let best = candidates[0] ?? 0;
  let bestPower = -1;
  for (const hz of candidates) {
    const power = tonePower(samples, rate, hz);
    if (power > bestPower) {
      best = hz;
      bestPower = power;
    }
  }
  return best;
}

/** The root mean square of `samples`. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/** A sine tone as little-endian PCM bytes. */
export function sinePcm(hz: number, rate: number, seconds: number, amplitude = 8000): Buffer {
  const count = Math.round(rate * seconds);
  const bytes = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) {
    bytes.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)), i * 2);
  }
  return bytes;
}
