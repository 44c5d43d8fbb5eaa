import { spawn } from 'node:child_process';
/**
 * Broadcasts with real media, loopback only: publishers are real VP8/H.264 + Opus RTP
 * ({@link RtpTestSource}); the HLS playlist and its segments are fetched over HTTP and decoded fully;
 * RTMP goes to a local ffmpeg receiver in listen mode, and a second target with nothing listening shows
 * `error` while HLS and the live target carry on. Then a crash (the composer killed, the manager
 * dropped) and the recovery at the next start.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastManager } from '../../recording/broadcasts/index.js';
import { FfmpegProcess } from '../../recording/compositor/ffmpeg-process.js';
import { decodeFully, probeMedia } from '../../recording/probe.js';
import { waitFor } from '../../recording/testing/media-checks.js';
import { RtpTestSource } from '../../recording/testing/rtp-test-source.js';
import { type BroadcastFixture, startBroadcastFixture } from './broadcasts.fixture.js';

let fx: BroadcastFixture;
const media: RtpTestSource[] = [];
beforeAll(async () => {
  fx = await startBroadcastFixture({ statusPollMs: 200 });
});
afterAll(async () => {
  await fx.close();
  await Promise.all(media.map((m) => m.close()));
});

async function publisher(options: ConstructorParameters<typeof RtpTestSource>[0]): Promise<RtpTestSource> {
  const source = new RtpTestSource(options);
  await source.start();
  media.push(source);
  return source;
}

/** A free TCP port on 127.0.0.1 (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Whether something listens on a loopback TCP port (read from /proc, so the listener is not touched). */
async function listening(port: number): Promise<boolean> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  return table.split('\n').some((line) => line.includes(hex) && / 0A /.test(line));
}

interface BroadcastBody {
  id: string;
  status: string;
  broadcastUrls: { hls?: string; hlsStatus?: string; rtmp: { id: string; status: string }[] };
}

const getBroadcast = async (id: string): Promise<BroadcastBody> =>
  (await (await fx.call('GET', fx.projectPath(`/broadcast/${id}`))).json()) as BroadcastBody;

describe('a broadcast with real media', () => {
  it('streams HLS and RTMP; a dead RTMP target errors while the others carry on', async () => {
    const sessionId = await fx.createSession();
    const source = fx.mediaSources.open(sessionId);
    source.addStream('vp8', await publisher({ video: 'vp8', toneHz: 440 }));
    source.addStream('h264', await publisher({ video: 'h264', toneHz: 880 }));

    const port = await freePort();
    const deadPort = await freePort();
    const received = join(fx.workDirectory, 'received.flv');
    const receiver = new FfmpegProcess([
      '-hide_banner',
      '-loglevel',
      'error',
      '-listen',
      '1',
      '-f',
      'flv',
      '-i',
      `rtmp://127.0.0.1:${port}/live/stream-key`,
      '-c',
      'copy',
      '-y',
      received,
    ]);
    try {
      await waitFor(() => listening(port), 10_000, 'the RTMP receiver');
      const response = await fx.call('POST', fx.projectPath('/broadcast'), {
        sessionId,
        outputs: {
          hls: {},
          rtmp: [
            { id: 'receiver', serverUrl: `rtmp://127.0.0.1:${port}/live`, streamName: 'stream-key' },
            { id: 'dead', serverUrl: `rtmp://127.0.0.1:${deadPort}/live`, streamName: 'nobody' },
          ],
        },
        resolution: '640x480',
      });
      expect(response.status).toBe(200);
      const { id, broadcastUrls } = (await response.json()) as BroadcastBody;
      // Each status must be reported at some point (a composer restart under load, e.g. after a stalled
      // test publisher, retries the targets and ends the one-shot receiver, so they need not coincide).
      const seen = new Set<string>();
      await waitFor(
        async () => {
          const b = await getBroadcast(id);
          expect(b.status).toBe('started');
          seen.add(`hls:${b.broadcastUrls.hlsStatus}`);
          for (const t of b.broadcastUrls.rtmp) seen.add(`${t.id}:${t.status}`);
          return seen.has('hls:live') && seen.has('receiver:live') && seen.has('dead:error');
        },
        // Generous: on a loaded 2-core machine a composer can take over 10 s to start, and a restart
        // retries the targets.
        90_000,
        'HLS live, the receiver live and the dead target in error',
      );
      expect(seen.has('dead:live')).toBe(false);

      // Let a few segments accumulate, then fetch the playlist like a player would (no credentials).
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const playlistUrl = broadcastUrls.hls ?? '';
      const playlist = await fetch(playlistUrl);
      expect(playlist.status).toBe(200);
      expect(playlist.headers.get('content-type')).toContain('application/vnd.apple.mpegurl');
      expect(playlist.headers.get('cache-control')).toBe('no-cache');
      expect(playlist.headers.get('access-control-allow-origin')).toBe('*');
      const text = await playlist.text();
      expect(text).not.toContain('#EXT-X-ENDLIST');
      const segments = text.split('\n').filter((line) => line.endsWith('.ts'));
      expect(segments.length).toBeGreaterThanOrEqual(2);
      const segmentUrl = new URL(segments[0] ?? '', playlistUrl).toString();
      const segment = await fetch(segmentUrl);
      expect(segment.headers.get('content-type')).toBe('video/mp2t');
      expect(segment.headers.get('cache-control')).toContain('max-age');
      const segmentPath = join(fx.workDirectory, 'segment.ts');
      await writeFile(segmentPath, Buffer.from(await segment.arrayBuffer()));
      const probed = await probeMedia(segmentPath);
      expect(probed.streams.find((s) => s.codecType === 'video')).toMatchObject({
        codecName: 'h264',
        width: 640,
        height: 480,
      });
      expect(probed.streams.find((s) => s.codecType === 'audio')).toMatchObject({ codecName: 'aac' });
      expect(await decodeFully(segmentPath)).toBeGreaterThan(20);

      // Stop: the playlist is ended and stays available; the receiver gets the end of the stream.
      const stopped = await fx.call('POST', fx.projectPath(`/broadcast/${id}/stop`));
      expect(await stopped.json()).toMatchObject({
        status: 'stopped',
        broadcastUrls: { hlsStatus: 'ended', rtmp: [{ status: 'ended' }, { status: 'ended' }] },
      });
      const ended = await (await fetch(playlistUrl)).text();
      expect(ended.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
      // The whole ended playlist plays from start to end (ffmpeg reads it like a player).
      expect(await decodeFully(playlistUrl, { strict: false })).toBeGreaterThan(50);

      await receiver.exited();
      const flv = await probeMedia(received);
      expect(flv.streams.map((s) => s.codecName).sort()).toEqual(['aac', 'h264']);
      expect(flv.duration).toBeGreaterThan(2);
      expect(await decodeFully(received, { strict: false })).toBeGreaterThan(50);
    } finally {
      receiver.kill();
    }
  }, 180_000);

  it('after a crash, the next start ends the playlist and marks the broadcast stopped (webhook failed)', async () => {
    const sessionId = await fx.createSession();
    const source = fx.mediaSources.open(sessionId);
    source.addStream('cam', await publisher({ video: 'vp8', audio: false }));
    const response = await fx.call('POST', fx.projectPath('/broadcast'), {
      sessionId,
      outputs: { hls: { dvr: true } },
    });
    const { id } = (await response.json()) as BroadcastBody;
    await waitFor(
      async () => (await getBroadcast(id)).broadcastUrls.hlsStatus === 'live',
      30_000,
      'HLS live',
    );
    const playlistPath = join(fx.workDirectory, id, 'hls', 'index.m3u8');

    // The crash: composers killed, nothing ended, the record left `started`.
    fx.manager.abort();
    expect(await readFile(playlistPath, 'utf8')).not.toContain('#EXT-X-ENDLIST');
    expect((await fx.harness.store.broadcasts.get(fx.harness.project.applicationId, id))?.status).toBe(
      'started',
    );

    // The next start: a new manager on the same store and directory.
    const sent: string[] = [];
    const recovering = new BroadcastManager({
      store: fx.harness.store,
      events: { emit: (_project, _name, payload) => sent.push(String(payload.status)) },
      mediaSources: fx.mediaSources,
      workDirectory: fx.workDirectory,
      hlsBaseUrl: () => fx.baseUrl,
    });
    // The dead server's composer would still be writing: a stand-in process names the directory.
    const stray = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', join(fx.workDirectory, id)]);
    const strayExit = new Promise<unknown>((resolve) =>
      stray.once('exit', (_code, signal) => resolve(signal)),
    );
    try {
      await recovering.recover();
      expect(await strayExit).toBe('SIGKILL');
      const record = await fx.harness.store.broadcasts.get(fx.harness.project.applicationId, id);
      expect(record?.status).toBe('stopped');
      expect(record?.data).toMatchObject({ hls: { status: 'ended' }, stopReason: 'serverRestart' });
      const text = await readFile(playlistPath, 'utf8');
      expect(text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
      expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
      expect(await decodeFully(playlistPath, { strict: false })).toBeGreaterThan(10);
      await waitFor(() => sent.includes('failed'), 5000, 'the failed webhook');
    } finally {
      await recovering.close();
    }
  }, 90_000);
});
