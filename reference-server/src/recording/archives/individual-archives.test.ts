/**
 * Individual-stream archives through the archive manager, on real RTP (ffmpeg-encoded VP8/Opus through
 * fake live sessions) and the real file store: the stored ZIP holds the manifest and one WebM per
 * stream stint, each probed with ffprobe and decoded fully with ffmpeg; streams joining, leaving and
 * republishing, manual mode, `hasVideo: false`, and a crash recovered by a new manager.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndividualManifest } from '../individual/package.js';
import { decodeFully, probeMedia } from '../probe.js';
import { sleep, waitFor } from '../testing/media-checks.js';
import type { RtpTestSource } from '../testing/rtp-test-source.js';
import { type ArchiveKit, createArchiveKit } from './archive-test-kit.js';
import { archiveData } from './archive-view.js';

const run = promisify(execFile);

let kit: ArchiveKit;
let extracted: string;
beforeEach(async () => {
  kit = await createArchiveKit();
  extracted = await mkdtemp(join(tmpdir(), 'parley-individual-zip-'));
});
afterEach(async () => {
  await kit.close();
  await rm(extracted, { recursive: true, force: true });
});

/** The finished archive, its stored ZIP unpacked: the manifest and the directory holding the files. */
async function unpacked(archiveId: string): Promise<{ manifest: IndividualManifest; names: string[] }> {
  const file = await kit.files.openForDownload(kit.project.applicationId, archiveId);
  if (!file) throw new Error(`archive ${archiveId} has no stored file`);
  await run('unzip', ['-q', '-o', file.path, '-d', extracted]);
  const manifest = JSON.parse(
    await readFile(join(extracted, `${archiveId}.json`), 'utf8'),
  ) as IndividualManifest;
  return { manifest, names: (await readdir(extracted)).sort() };
}

/** Resolves once `media` sends packets of every track it has (its ffmpeg has started). */
async function flowing(media: RtpTestSource): Promise<RtpTestSource> {
  const kinds = [
    ...(media.options.video ? ['video' as const] : []),
    ...(media.options.audio ? ['audio' as const] : []),
  ];
  const seen = new Set<string>();
  const stops = kinds.map((kind) => media.subscribe(kind, () => seen.add(kind)));
  try {
    await waitFor(() => seen.size === kinds.length, 10_000, 'test media');
  } finally {
    for (const stop of stops) stop();
  }
  return media;
}

/** Probes and fully decodes one unpacked file; returns its codecs and duration (s). */
async function checkFile(filename: string): Promise<{ codecs: string[]; duration: number }> {
  const path = join(extracted, filename);
  const probed = await probeMedia(path);
  await decodeFully(path);
  return { codecs: probed.streams.map((s) => s.codecName), duration: probed.duration };
}

describe('ArchiveManager: individual archives', () => {
  it('records one WebM per stream into a ZIP with the manifest, following joins, leaves and republishes', async () => {
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    source.addStream('cam', await flowing(await kit.media({ video: 'vp8' })), {
      connectionData: 'name=Alice',
    });
    source.addStream('mic', await flowing(await kit.media({ video: null, toneHz: 660 })), {
      connectionData: 'name=Bob',
    });
    const archive = await kit.manager.start(kit.project, {
      sessionId,
      name: 'Per stream',
      outputMode: 'individual',
    });
    expect(archive).toMatchObject({ status: 'started' });
    expect(archiveData(archive)).toMatchObject({ outputMode: 'individual' });
    const started = Date.now();

    await sleep(1500);
    const lateMedia = await flowing(await kit.media({ video: 'vp8', pattern: 'color=c=red' }));
    source.addStream('late', lateMedia, { connectionData: '' });
    const lateAt = Date.now();
    await sleep(2000);
    source.removeStream('mic');
    const micStopped = Date.now();
    await sleep(500);
    source.addStream('mic', await flowing(await kit.media({ video: null, toneHz: 880 })), {
      connectionData: 'name=Bob',
    });
    const micAgain = Date.now();
    await sleep(1500);
    await kit.manager.stop(kit.project, archive.id);
    const stopped = Date.now();
    await kit.manager.settled();

    const done = await kit.manager.get(kit.project, archive.id);
    expect(done.status).toBe('available');
    expect(kit.events.statuses(archive.id)).toEqual(['started', 'stopped', 'available']);
    const data = archiveData(done);
    const file = await kit.files.openForDownload(kit.project.applicationId, archive.id);
    if (!file) throw new Error('no stored file');
    expect(data.sha256sum).toBe(
      createHash('sha256')
        .update(await readFile(file.path))
        .digest('hex'),
    );
    expect(data.size).toBeGreaterThan(20_000);
    expect(Math.abs(data.duration - (stopped - started) / 1000)).toBeLessThanOrEqual(1);
    expect(kit.manager.downloadUrl(done)).toMatch(/\/archive\/.+\/download\?/);

    const { manifest, names } = await unpacked(archive.id);
    // Sorted both ways: the archive ID is a random UUID, so where the manifest sorts varies.
    expect(names).toEqual([`${archive.id}.json`, 'cam.webm', 'late.webm', 'mic-2.webm', 'mic.webm'].sort());
    expect(manifest).toMatchObject({
      id: archive.id,
      name: 'Per stream',
      sessionId,
      createdAt: archive.createdAt,
    });
    const byName = new Map(manifest.files.map((f) => [f.filename, f]));
    expect(byName.get('cam.webm')).toMatchObject({
      streamId: 'cam',
      connectionData: 'name=Alice',
      videoType: 'camera',
    });
    expect(byName.get('mic.webm')).toMatchObject({ streamId: 'mic', connectionData: 'name=Bob' });
    expect(byName.get('mic-2.webm')).toMatchObject({ streamId: 'mic' });
    expect(byName.get('late.webm')).toMatchObject({ streamId: 'late', connectionData: '' });
    const near = (actual: number | undefined, expected: number): void =>
      expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThan(400);
    near(byName.get('cam.webm')?.startTimeOffset, 0);
    near(byName.get('late.webm')?.startTimeOffset, lateAt - started);
    near(byName.get('mic.webm')?.stopTimeOffset, micStopped - started);
    near(byName.get('mic-2.webm')?.startTimeOffset, micAgain - started);
    near(byName.get('cam.webm')?.stopTimeOffset, stopped - started);

    for (const entry of manifest.files) {
      const checked = await checkFile(entry.filename);
      expect(checked.codecs).toEqual(entry.streamId === 'mic' ? ['opus'] : ['vp8', 'opus']);
      const recorded = (entry.stopTimeOffset - entry.startTimeOffset) / 1000;
      expect(Math.abs(checked.duration - recorded), entry.filename).toBeLessThan(1);
      expect(entry.size).toBeGreaterThan(1024);
    }
  }, 60_000);

  it('records audio only with hasVideo false, and only the streams added in manual mode', async () => {
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    source.addStream('a', await flowing(await kit.media({ video: 'vp8', toneHz: 440 })));
    source.addStream('b', await flowing(await kit.media({ video: 'vp8', toneHz: 550 })));
    const archive = await kit.manager.start(kit.project, {
      sessionId,
      outputMode: 'individual',
      streamMode: 'manual',
      hasVideo: false,
    });
    await sleep(800); // nothing added yet: nothing recorded
    await kit.manager.updateStreams(kit.project, archive.id, { addStream: 'a' });
    const addedAt = Date.now();
    await sleep(2000);
    await kit.manager.updateStreams(kit.project, archive.id, { removeStream: 'a' });
    const removedAt = Date.now();
    await kit.manager.updateStreams(kit.project, archive.id, {
      addStream: 'b',
      hasAudio: true,
      hasVideo: true,
    });
    await sleep(1500);
    await kit.manager.stop(kit.project, archive.id);
    await kit.manager.settled();
    expect((await kit.manager.get(kit.project, archive.id)).status).toBe('available');

    const { manifest } = await unpacked(archive.id);
    expect(manifest.files.map((f) => f.filename).sort()).toEqual(['a.webm', 'b.webm']);
    const a = manifest.files.find((f) => f.streamId === 'a');
    const archiveStart = archive.createdAt;
    expect(Math.abs((a?.startTimeOffset ?? 0) - (addedAt - archiveStart))).toBeLessThan(400);
    expect(Math.abs((a?.stopTimeOffset ?? 0) - (removedAt - archiveStart))).toBeLessThan(400);
    for (const filename of ['a.webm', 'b.webm']) {
      const checked = await checkFile(filename);
      // hasVideo false applies to every stream, whatever addStream asked for.
      expect(checked.codecs).toEqual(['opus']);
      // Loose: the test media's ffmpeg may run behind real time on a loaded machine, and a file holds
      // what was received (the first test checks durations against wall time).
      expect(checked.duration, filename).toBeGreaterThan(0.5);
    }
  }, 60_000);

  it('packages what a crash left (playable files, journalled offsets) when a new manager recovers', async () => {
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    source.addStream('cam', await flowing(await kit.media({ video: 'vp8' })), { connectionData: 'crash' });
    const archive = await kit.manager.start(kit.project, { sessionId, outputMode: 'individual' });
    await sleep(3000);
    kit.manager.abort(); // the process dies: no file finished, no record changed
    expect((await kit.manager.get(kit.project, archive.id)).status).toBe('started');

    const restarted = kit.restart();
    await restarted.recover();
    await restarted.settled();
    const done = await restarted.get(kit.project, archive.id);
    expect(done.status).toBe('available');
    expect(archiveData(done).reason).toBe('server stopped while recording');
    expect(archiveData(done).duration).toBeGreaterThanOrEqual(2);
    expect(kit.events.statuses(archive.id)).toEqual(['started', 'stopped', 'available']);

    const { manifest } = await unpacked(archive.id);
    expect(manifest.files).toHaveLength(1);
    const [entry] = manifest.files;
    expect(entry).toMatchObject({ streamId: 'cam', connectionData: 'crash', filename: 'cam.webm' });
    const checked = await checkFile('cam.webm');
    expect(checked.codecs).toEqual(['vp8', 'opus']);
    // Up to the last cluster written before the crash (clusters close at least every second).
    expect(checked.duration).toBeGreaterThan(1.5);
    expect(
      Math.abs(checked.duration * 1000 - ((entry?.stopTimeOffset ?? 0) - (entry?.startTimeOffset ?? 0))),
    ).toBeLessThan(500);
  }, 60_000);

  it('fails an archive with nothing recorded, and stops on its own like a composed one', async () => {
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    const archive = await kit.manager.start(kit.project, { sessionId, outputMode: 'individual' });
    await waitFor(
      async () => (await kit.manager.get(kit.project, archive.id)).status === 'paused',
      3000,
      'paused',
    );
    source.end();
    await waitFor(
      () => kit.events.sent.some((e) => e.payload.id === archive.id && e.payload.reason === 'session ended'),
      3000,
      'the automatic stop',
    );
    await kit.manager.settled();
    const done = await kit.manager.get(kit.project, archive.id);
    expect(done.status).toBe('failed');
    expect(archiveData(done).reason).toMatch(/nothing was recorded/);
  });
});
