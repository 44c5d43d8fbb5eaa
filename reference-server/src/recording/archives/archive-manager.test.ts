import { spawn } from 'node:child_process';
/**
 * The archive manager against real media: real VP8/H.264/Opus RTP through fake live sessions, real
 * ffmpeg composers, the real file store; outputs checked with ffprobe and a full decode.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingError } from '../errors.js';
import { decodeFully, probeMedia } from '../probe.js';
import { dominant, pixelAt, sleep, waitFor } from '../testing/media-checks.js';
import { type ArchiveKit, createArchiveKit } from './archive-test-kit.js';
import { archiveData } from './archive-view.js';

let kit: ArchiveKit;
afterEach(async () => {
  await kit.close();
});

/** The stored file of an available archive. */
async function storedFile(archiveId: string): Promise<string> {
  const file = await kit.files.openForDownload(kit.project.applicationId, archiveId);
  if (!file) throw new Error(`archive ${archiveId} has no stored file`);
  return file.path;
}

describe('ArchiveManager: composed archives', () => {
  beforeEach(async () => {
    kit = await createArchiveKit();
  });

  it('records a composed MP4 that follows wall time, shows a live layout change, and ends available', async () => {
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    source.addStream('red', await kit.media({ video: 'vp8', pattern: 'color=c=red', toneHz: 440 }));
    source.addStream('blue', await kit.media({ video: 'h264', pattern: 'color=c=blue', audio: false }), {
      layoutClassList: ['full'],
    });
    const started = Date.now();
    const archive = await kit.manager.start(kit.project, {
      sessionId,
      name: 'Standup',
      resolution: '640x480',
    });
    expect(archive).toMatchObject({ status: 'started', sessionId });
    expect(kit.notifier.calls.at(-1)).toEqual({ sessionId, active: [{ id: archive.id, name: 'Standup' }] });

    await sleep(3000);
    await kit.manager.setLayout(kit.project, archive.id, { type: 'pip' });
    const layoutAt = (Date.now() - started) / 1000;
    await sleep(3000);
    const stopped = await kit.manager.stop(kit.project, archive.id);
    const wall = (Date.now() - started) / 1000;
    expect(stopped.status).toBe('stopped');
    expect(archiveData(stopped)).toMatchObject({ reason: 'user initiated', layout: { type: 'pip' } });
    expect(kit.notifier.calls.at(-1)).toEqual({ sessionId, active: [] });

    await kit.manager.settled();
    const done = await kit.manager.get(kit.project, archive.id);
    expect(done.status).toBe('available');
    const path = await storedFile(archive.id);
    const data = archiveData(done);
    expect(data.sha256sum).toBe(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
    expect(data.size).toBeGreaterThan(10_000);
    expect(kit.manager.downloadUrl(done)).toMatch(/\/archive\/.+\/download\?/);
    expect(kit.events.statuses(archive.id)).toEqual(['started', 'stopped', 'available']);

    const probed = await probeMedia(path);
    expect(probed.streams.find((s) => s.codecType === 'video')).toMatchObject({
      codecName: 'h264',
      width: 640,
      height: 480,
    });
    expect(probed.streams.find((s) => s.codecType === 'audio')).toMatchObject({ codecName: 'aac' });
    // The cut between segments depends on the composers' start-up on a loaded machine, so this test reads
    // positions from the file; the single-segment test below checks the duration against wall time.
    expect(probed.duration).toBeGreaterThan(wall / 2);
    expect(Math.abs(data.duration - probed.duration)).toBeLessThanOrEqual(1);
    // bestFit before the change: blue (layout class) left, red right; pip after: blue full, red corner.
    expect(dominant(await pixelAt(path, Math.max(0.5, layoutAt - 1.5), 500, 240))).toBe('red');
    expect(dominant(await pixelAt(path, probed.duration - 0.5, 300, 240))).toBe('blue');
    expect(dominant(await pixelAt(path, probed.duration - 0.5, 540, 90))).toBe('red');
    expect(await decodeFully(path)).toBeGreaterThan(100);
  }, 90_000);

  it('records an MP4 whose duration is the wall time between start and stop (±1 s)', async () => {
    const sessionId = await kit.createSession();
    kit.provider.open(sessionId).addStream('a', await kit.media({ video: 'vp8' }));
    const started = Date.now();
    const archive = await kit.manager.start(kit.project, { sessionId, maxBitrate: 500_000 });
    await sleep(4000);
    await kit.manager.stop(kit.project, archive.id);
    const wall = (Date.now() - started) / 1000;
    await kit.manager.settled();
    const done = await kit.manager.get(kit.project, archive.id);
    expect(done.status).toBe('available');
    const probed = await probeMedia(await storedFile(archive.id));
    expect(Math.abs(probed.duration - wall)).toBeLessThan(1);
    expect(archiveData(done).duration).toBe(Math.round(probed.duration));
  }, 60_000);

  it('records only the streams added to a manual archive, reports paused while nobody publishes', async () => {
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    const archive = await kit.manager.start(kit.project, {
      sessionId,
      streamMode: 'manual',
      hasVideo: false,
    });
    // Nobody publishes: Vonage's `paused`.
    await waitFor(
      async () => (await kit.manager.get(kit.project, archive.id)).status === 'paused',
      3000,
      'paused',
    );
    await expect(
      kit.manager.updateStreams(kit.project, archive.id, { addStream: 'ghost' }),
    ).rejects.toMatchObject({ code: 40423 });
    source.addStream('a', await kit.media({ video: null, toneHz: 440 }));
    await waitFor(
      async () => (await kit.manager.get(kit.project, archive.id)).status === 'started',
      3000,
      'started',
    );
    await kit.manager.updateStreams(kit.project, archive.id, {
      addStream: 'a',
      hasAudio: true,
      hasVideo: false,
    });
    expect(archiveData(await kit.manager.get(kit.project, archive.id)).streams).toMatchObject([
      { streamId: 'a', hasAudio: true, hasVideo: false },
    ]);
    await sleep(2500);
    await kit.manager.updateStreams(kit.project, archive.id, { removeStream: 'a' });
    await sleep(300);
    await kit.manager.stop(kit.project, archive.id);
    await kit.manager.settled();
    const done = await kit.manager.get(kit.project, archive.id);
    expect(done.status).toBe('available');
    expect(kit.events.statuses(archive.id)).toEqual(['started', 'paused', 'started', 'stopped', 'available']);
    const probed = await probeMedia(await storedFile(archive.id));
    expect(probed.streams.map((s) => s.codecName)).toEqual(['aac']);
    expect(probed.duration).toBeGreaterThan(1.5);
  }, 60_000);
});

describe('ArchiveManager: automatic stops and archiveMode always', () => {
  it('stops 60 s (here 0.4 s) after the last client leaves, unless one comes back', async () => {
    kit = await createArchiveKit({ limits: { sessionEndedSeconds: 0.4 } });
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    const archive = await kit.manager.start(kit.project, { sessionId });
    source.setConnectionCount(0);
    await sleep(200);
    source.setConnectionCount(1); // back in time: the clock is cancelled
    await sleep(500);
    expect((await kit.manager.get(kit.project, archive.id)).status).toBe('paused');
    source.setConnectionCount(0);
    await waitFor(
      async () => (await kit.manager.get(kit.project, archive.id)).status !== 'paused',
      3000,
      'the automatic stop',
    );
    await kit.manager.settled();
    const done = await kit.manager.get(kit.project, archive.id);
    // Nobody ever published: nothing to store.
    expect(done.status).toBe('failed');
    expect(archiveData(done).reason).toMatch(/nothing was recorded/);
    expect(kit.events.sent.find((e) => e.payload.status === 'stopped')?.payload.reason).toBe('session ended');
  });

  it('stops after the idle limit without publishers, and at once when the live session closes', async () => {
    kit = await createArchiveKit({ limits: { maxIdleSeconds: 0.3 } });
    const idleSession = await kit.createSession();
    kit.provider.open(idleSession);
    const idle = await kit.manager.start(kit.project, { sessionId: idleSession });
    await waitFor(
      async () => archiveData(await kit.manager.get(kit.project, idle.id)).reason !== '',
      3000,
      'idle',
    );
    expect(
      kit.events.sent.find((e) => e.payload.id === idle.id && e.payload.status === 'stopped')?.payload.reason,
    ).toBe('maximum idle time exceeded');

    const closing = await kit.createSession();
    const source = kit.provider.open(closing);
    const ended = await kit.manager.start(kit.project, { sessionId: closing });
    source.end();
    await waitFor(
      () => kit.events.sent.some((e) => e.payload.id === ended.id && e.payload.reason === 'session ended'),
      3000,
      'the stop',
    );
  });

  it('records archiveMode always sessions by itself and rolls over at the maximum duration', async () => {
    kit = await createArchiveKit({ limits: { maxDurationSeconds: 2, checkIntervalMs: 100 } });
    const sessionId = await kit.createSession({
      archiveMode: 'always',
      archiveName: 'Auto',
      archiveResolution: '480x640',
    });
    const media = await kit.media({ video: 'vp8' });
    const source = kit.provider.open(sessionId);
    await waitFor(() => kit.manager.recordingArchives(sessionId).length === 1, 3000, 'the automatic archive');
    const [first] = kit.manager.recordingArchives(sessionId);
    if (!first) throw new Error('no automatic archive');
    expect(archiveData(first)).toMatchObject({ name: 'Auto', resolution: '480x640', automatic: true });
    source.addStream('a', media);

    // By hand: refused without a tag, and the automatic archive cannot be stopped.
    await expect(kit.manager.start(kit.project, { sessionId })).rejects.toMatchObject({ code: 40922 });
    await expect(kit.manager.stop(kit.project, first.id)).rejects.toMatchObject({ code: 40926 });

    await waitFor(
      () => kit.manager.recordingArchives(sessionId).some((r) => r.id !== first.id),
      20_000,
      'the rollover',
    );
    expect(archiveData(await kit.manager.get(kit.project, first.id)).reason).toBe(
      'maximum duration exceeded',
    );
    await kit.manager.close();
    const list = await kit.manager.list(kit.project, { offset: 0, count: 10, sessionId });
    expect(list.total).toBeGreaterThanOrEqual(2);
    for (const archive of list.items) expect(archive.status).toBe('available');
    const firstFile = await probeMedia(await storedFile(first.id));
    expect(firstFile.streams.find((s) => s.codecType === 'video')).toMatchObject({ width: 480, height: 640 });
    expect(firstFile.duration).toBeGreaterThan(1.5);
    expect(firstFile.duration).toBeLessThan(3.5);
  }, 60_000);
});

describe('ArchiveManager: crash recovery', () => {
  it('finishes what a killed recorder left on disk after a restart, and fails an archive with nothing', async () => {
    kit = await createArchiveKit();
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    source.addStream('a', await kit.media({ video: 'vp8' }));
    const recorded = await kit.manager.start(kit.project, { sessionId });
    const emptySession = await kit.createSession();
    kit.provider.open(emptySession);
    const empty = await kit.manager.start(kit.project, { sessionId: emptySession });
    // Crash once a few fragments are on disk.
    const segment = join(kit.root, 'work', recorded.id, 'segment-000.mp4');
    await waitFor(
      async () => ((await stat(segment).catch(() => null))?.size ?? 0) > 50_000,
      20_000,
      'fragments',
    );
    kit.manager.abort(); // the process dies: records stay `started`, segments stay unfinished
    expect((await kit.store.archives.get(kit.project.applicationId, recorded.id))?.status).toBe('started');

    // A composer of the dead server would still be running, naming the archive's directory: recovery
    // must stop it before joining its segments (a stand-in process plays its part).
    const stray = spawn(process.execPath, [
      '-e',
      'setTimeout(() => {}, 60_000)',
      join(kit.root, 'work', recorded.id),
    ]);
    const strayExit = new Promise<unknown>((resolve) =>
      stray.once('exit', (_code, signal) => resolve(signal)),
    );
    const restarted = kit.restart();
    await restarted.recover();
    expect(await strayExit).toBe('SIGKILL');
    const done = await restarted.get(kit.project, recorded.id);
    expect(archiveData(done).reason).toBe('server stopped while recording');
    expect(done.status).toBe('available');
    expect(archiveData(done).reason).toBe('server stopped while recording');
    const path = await storedFile(recorded.id);
    expect((await probeMedia(path)).duration).toBeGreaterThan(1);
    expect(await decodeFully(path, { strict: false })).toBeGreaterThan(10);
    expect((await restarted.get(kit.project, empty.id)).status).toBe('failed');
    expect(await kit.store.archives.listByStatus('started')).toEqual([]);
    expect(kit.events.statuses(recorded.id)).toEqual(['started', 'stopped', 'available']);
  }, 60_000);
});

describe('ArchiveManager: refusals', () => {
  it('refuses what cannot be recorded, with the documented codes', async () => {
    kit = await createArchiveKit();
    const relayed = await kit.createSession({ mediaMode: 'relayed' });
    const e2ee = await kit.createSession({ e2ee: true });
    const empty = await kit.createSession();
    const live = await kit.createSession();
    kit.provider.open(live);
    const code = async (work: Promise<unknown>): Promise<number> =>
      work.then(
        () => 0,
        (error: unknown) => (error instanceof RecordingError ? error.code : -1),
      );
    expect(await code(kit.manager.start(kit.project, { sessionId: 'nope' }))).toBe(40401);
    expect(await code(kit.manager.start(kit.project, { sessionId: relayed }))).toBe(40921);
    expect(await code(kit.manager.start(kit.project, { sessionId: e2ee }))).toBe(40924);
    expect(await code(kit.manager.start(kit.project, { sessionId: empty }))).toBe(40421);
    expect(
      await code(
        kit.manager.start(kit.project, { sessionId: live, layout: { type: 'custom', stylesheet: 'a{}' } }),
      ),
    ).toBe(40022);
    const first = await kit.manager.start(kit.project, { sessionId: live });
    expect(await code(kit.manager.start(kit.project, { sessionId: live }))).toBe(40922);
    const tagged = await kit.manager.start(kit.project, { sessionId: live, multiArchiveTag: 'second' });
    expect(await code(kit.manager.start(kit.project, { sessionId: live, multiArchiveTag: 'second' }))).toBe(
      40923,
    );
    expect(kit.notifier.calls.at(-1)?.active.map((a) => a.id)).toEqual([first.id, tagged.id]);
    expect(await code(kit.manager.delete(kit.project, first.id))).toBe(40925);
    expect(await code(kit.manager.updateStreams(kit.project, first.id, { addStream: 'x' }))).toBe(40501);
    await kit.manager.stop(kit.project, first.id);
    expect(await code(kit.manager.stop(kit.project, first.id))).toBe(40901);
    expect(await code(kit.manager.setLayout(kit.project, first.id, { type: 'pip' }))).toBe(40901);
    expect(await code(kit.manager.get(kit.project, '5b1e8f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b'))).toBe(40422);
  });
});
