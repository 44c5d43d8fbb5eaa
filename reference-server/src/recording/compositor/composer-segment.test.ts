/**
 * A composer segment whose ffmpeg starts slowly (it binds its RTP ports 6 s late, as on a machine with
 * every core busy): every packet that arrived meanwhile is held and delivered once the ports are bound,
 * so the segment's time 0 stays the moment it started. The "ffmpeg" here is a small Node script that
 * binds the ports named in the SDP and counts what it receives, so the check is exact and needs no
 * encoder.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TypedEmitter } from '@parley/events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MediaSource, MediaSourceEvents, RtpSink, SourceStream } from '../media-source.js';
import { sleep, waitFor } from '../testing/media-checks.js';
import { ComposerSegment } from './composer-segment.js';
import { computePlan } from './plan.js';

/** Binds the SDP's ports after `FAKE_FFMPEG_DELAY_MS`, and keeps the number of packets received in a file. */
const FAKE_FFMPEG = `
import { createSocket } from 'node:dgram';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const sdp = args[args.indexOf('-i') + 1];
const ports = [...readFileSync(sdp, 'utf8').matchAll(/m=\\w+ (\\d+)/g)].map((m) => Number(m[1]));
let received = 0;
setTimeout(() => {
  for (const port of ports) {
    // A large receive buffer and a cheap handler, as ffmpeg's reader thread: the held packets arrive
    // as a burst, and this test is about what is sent, not about a slow receiver.
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    socket.on('message', () => {
      received += 1;
    });
    socket.bind(port, '127.0.0.1');
  }
}, Number(process.env.FAKE_FFMPEG_DELAY_MS));
// Written aside and renamed: the test reads the file while this rewrites it, and a plain rewrite can be
// read empty (truncated, not yet written).
setInterval(() => {
  writeFileSync(sdp + '.received.tmp', String(received));
  renameSync(sdp + '.received.tmp', sdp + '.received');
}, 50);
process.stdin.on('data', (data) => {
  if (String(data).includes('q')) process.exit(0);
});
`;

/** One audio stream whose publisher sends a small RTP packet every 20 ms once subscribed. */
class TickingSource extends TypedEmitter<MediaSourceEvents> implements MediaSource {
  readonly sessionId = 'ticking';
  sent = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #stream: SourceStream = {
    streamId: 'a',
    connectionId: 'c',
    connectionData: '',
    videoType: 'camera',
    layoutClassList: [],
    createdAt: 0,
    audio: {
      kind: 'audio',
      codec: { mimeType: 'audio/opus', payloadType: 109, clockRate: 48_000, channels: 2 },
    },
    video: null,
    audioActive: true,
    videoActive: false,
  };
  connectionCount(): number {
    return 1;
  }
  streams(): readonly SourceStream[] {
    return [this.#stream];
  }
  subscribe(_streamId: string, _kind: 'audio' | 'video', sink: RtpSink): () => void {
    this.#timer = setInterval(() => {
      const packet = Buffer.alloc(100);
      packet[0] = 0x80;
      packet[1] = 109;
      packet.writeUInt16BE(this.sent & 0xffff, 2);
      this.sent += 1;
      sink(packet);
    }, 20);
    return () => this.silence();
  }
  silence(): void {
    clearInterval(this.#timer);
  }
  requestKeyFrame(): void {}
}

let root: string;
let fakeFfmpeg: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-segment-'));
  await writeFile(join(root, 'fake-ffmpeg.mjs'), FAKE_FFMPEG);
  fakeFfmpeg = join(root, 'fake-ffmpeg');
  await writeFile(fakeFfmpeg, `#!/bin/sh\nexec "${process.execPath}" "${root}/fake-ffmpeg.mjs" "$@"\n`);
  await chmod(fakeFfmpeg, 0o755);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it('holds the packets of an ffmpeg that binds its ports 6 s late and delivers every one of them', async () => {
  process.env.FAKE_FFMPEG_DELAY_MS = '6000';
  const source = new TickingSource();
  const plan = computePlan({
    streams: source.streams(),
    selection: { mode: 'auto' },
    layout: { type: 'bestFit' },
    resolution: '640x480',
    hasAudio: true,
    hasVideo: false,
  });
  const segment = await ComposerSegment.start({
    source,
    plan,
    resolution: '640x480',
    hasAudio: true,
    hasVideo: false,
    encoding: { defaultMaxBitrate: 1_000_000 },
    outputs: [{ kind: 'mp4', path: join(root, 'segment.mp4') }],
    workDirectory: root,
    name: 'segment',
    ffmpegPath: fakeFfmpeg,
  });
  try {
    await sleep(7000);
    source.silence();
    // A 20 ms timer ticks ~350 times in 7 s on a quiet machine, far fewer on a loaded one; what
    // matters is that a good number of packets went out before the fake ffmpeg bound its ports.
    expect(source.sent).toBeGreaterThan(50);
    const received = () => readFile(join(root, 'segment.sdp.received'), 'utf8').then(Number, () => 0);
    // Every packet sent since the segment started arrives, the early ones included (a machine under
    // load may take a while to deliver them all).
    await waitFor(async () => (await received()) >= source.sent, 15_000, 'every packet');
    expect(await received()).toBe(source.sent);
    await segment.process.stop();
  } finally {
    segment.kill();
    source.silence();
    delete process.env.FAKE_FFMPEG_DELAY_MS;
  }
}, 40_000);
