/**
 * Individual-stream archives end to end on real media: a werift client publishes VP8 + Opus into a
 * routed session on the werift engine, the archive manager records it through the live media source
 * (connection data from the publisher's connection), and the stored ZIP holds the manifest and a WebM
 * that ffprobe reads as VP8 + Opus for the recorded time and ffmpeg decodes end to end.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveKit, createArchiveKit } from '../../recording/archives/archive-test-kit.js';
import type { IndividualManifest } from '../../recording/individual/package.js';
import { decodeFully, probeMedia } from '../../recording/probe.js';
import { WeriftEngine } from '../../sfu/werift/engine.js';
import { LiveMediaSources } from './media-sources.js';
import { RoutedSessionHarness } from './testing/routed-session.js';

const run = promisify(execFile);

let engine: WeriftEngine;
let harness: RoutedSessionHarness;
let sources: LiveMediaSources;
let kit: ArchiveKit;
let extracted: string;

beforeAll(async () => {
  engine = new WeriftEngine();
  harness = new RoutedSessionHarness(engine);
  sources = new LiveMediaSources(harness.registry);
  kit = await createArchiveKit({ mediaSources: sources });
  extracted = await mkdtemp(join(tmpdir(), 'parley-individual-e2e-'));
});
afterAll(async () => {
  await kit.close();
  sources.close();
  await harness.close();
  engine.close();
  await rm(extracted, { recursive: true, force: true });
});

describe('individual archive of a live routed session', () => {
  it('records a werift publisher into a ZIP with its WebM (VP8 + Opus) and the manifest', async () => {
    const sessionId = await kit.createSession();
    const alice = harness.connect(sessionId, 'alice', { data: 'name=Alice' });
    const { publisher } = await harness.publish(sessionId, alice, 'alice-camera');
    const plisBefore = publisher.pliCount;
    const archive = await kit.manager.start(kit.project, { sessionId, outputMode: 'individual' });
    const started = Date.now();
    await sleep(4000);
    await kit.manager.stop(kit.project, archive.id);
    const wall = (Date.now() - started) / 1000;
    await kit.manager.settled();
    // The recorder asked the real publisher for a keyframe to start the file at once.
    expect(publisher.pliCount).toBeGreaterThan(plisBefore);

    const done = await kit.manager.get(kit.project, archive.id);
    expect(done.status).toBe('available');
    const file = await kit.files.openForDownload(kit.project.applicationId, archive.id);
    if (!file) throw new Error('no stored file');
    await run('unzip', ['-q', '-o', file.path, '-d', extracted]);
    const manifest = JSON.parse(
      await readFile(join(extracted, `${archive.id}.json`), 'utf8'),
    ) as IndividualManifest;
    expect(manifest.files).toEqual([
      expect.objectContaining({
        streamId: 'alice-camera',
        connectionData: 'name=Alice',
        filename: 'alice-camera.webm',
        videoType: 'camera',
      }),
    ]);
    const path = join(extracted, 'alice-camera.webm');
    const probed = await probeMedia(path);
    expect(probed.streams.map((s) => [s.codecType, s.codecName])).toEqual([
      ['video', 'vp8'],
      ['audio', 'opus'],
    ]);
    expect(Math.abs(probed.duration - wall)).toBeLessThan(1);
    expect(await decodeFully(path)).toBeGreaterThan(20);
    harness.session(sessionId).removeConnection('alice', 'clientDisconnected');
  }, 60_000);
});
