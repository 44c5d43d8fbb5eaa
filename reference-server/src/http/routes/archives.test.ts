/**
 * The archive operations over real HTTP: every documented error, and the official `@vonage/video` SDK
 * and Parley's SDK starting, listing and stopping archives of a live session fed by real RTP.
 */
import { Resolution, Video } from '@vonage/video';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Parley } from '../../../../packages/server-sdk/src/index.js';
import { type buildApp as BuildApp, buildApp } from '../../app.js';
import { type ArchiveKit, createArchiveKit } from '../../recording/archives/archive-test-kit.js';
import { probeMedia } from '../../recording/probe.js';
import { sleep } from '../../recording/testing/media-checks.js';
import { projectAuth, spec, TEST_ACCOUNT } from '../../testing/harness.js';
import { archivesResource } from './archives.js';

let kit: ArchiveKit;
let app: Awaited<ReturnType<typeof BuildApp>>;
let baseUrl: string;
beforeAll(async () => {
  kit = await createArchiveKit();
  app = await buildApp({
    spec: spec(),
    store: kit.store,
    account: TEST_ACCOUNT,
    rateLimit: null,
    // The archive operations come from the kit's manager, not the app's own recording.
    recording: null,
    resources: [archivesResource(kit.manager)],
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await kit.close();
});

async function call(
  target: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  payload?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await target.inject({
    method,
    url: `/v2/project/${kit.project.apiKey}${path}`,
    headers: await projectAuth(kit.project),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return {
    status: response.statusCode,
    body: response.body ? (response.json() as Record<string, unknown>) : {},
  };
}

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  payload?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> => call(app, method, path, payload);

describe('archive operations: errors', () => {
  it('refuses starts that cannot record, with the documented status and code', async () => {
    const relayed = await kit.createSession({ mediaMode: 'relayed' });
    const e2ee = await kit.createSession({ e2ee: true });
    const empty = await kit.createSession();
    const live = await kit.createSession();
    kit.provider.open(live);
    const start = (body: Record<string, unknown>) => api('POST', '/archive', body);

    expect(await start({ sessionId: 'unknown_session' })).toMatchObject({
      status: 404,
      body: { code: 40401 },
    });
    expect(await start({ sessionId: relayed })).toMatchObject({ status: 409, body: { code: 40921 } });
    expect(await start({ sessionId: e2ee })).toMatchObject({ status: 409, body: { code: 40924 } });
    expect(await start({ sessionId: empty })).toMatchObject({ status: 404, body: { code: 40421 } });
    const custom = await start({ sessionId: live, layout: { type: 'custom', stylesheet: 'stream {}' } });
    expect(custom).toMatchObject({ status: 400, body: { code: 40022 } });
    expect(custom.body.message).toMatch(/browser-based renderer/);
    expect(await start({ sessionId: live, hasAudio: false, hasVideo: false })).toMatchObject({
      status: 400,
      body: { code: 40001 },
    });
    expect(await start({ sessionId: live, outputMode: 'individual', resolution: '1280x720' })).toMatchObject({
      status: 400,
      body: { code: 40001 },
    });
    // Individual archives are recorded (40023, "not supported", is retired); they have no layout.
    const individual = await start({ sessionId: live, outputMode: 'individual', name: 'Per stream' });
    expect(individual).toMatchObject({
      status: 200,
      body: { status: 'started', outputMode: 'individual', name: 'Per stream', sessionId: live },
    });
    expect(individual.body).not.toHaveProperty('resolution');
    const individualId = String(individual.body.id);
    expect(await api('PUT', `/archive/${individualId}/layout`, { type: 'pip' })).toMatchObject({
      status: 400,
      body: { code: 40021 },
    });
    expect(await api('POST', `/archive/${individualId}/stop`)).toMatchObject({
      status: 200,
      body: { status: 'stopped', outputMode: 'individual' },
    });
    expect(await start({ sessionId: live, maxBitrate: 1_000_000, quantizationParameter: 20 })).toMatchObject({
      status: 400,
    });
  });

  it('answers every archive operation with its documented errors', async () => {
    const sessionId = await kit.createSession();
    kit.provider.open(sessionId);
    // The legacy Python SDK's nulls mean "not set".
    const started = await api('POST', '/archive', {
      sessionId,
      name: null,
      resolution: null,
      multiArchiveTag: null,
      maxBitrate: null,
      hasAudio: true,
      hasVideo: true,
      outputMode: 'composed',
      streamMode: 'auto',
    });
    expect(started).toMatchObject({
      status: 200,
      body: {
        status: 'started',
        name: '',
        reason: '',
        resolution: '640x480',
        url: null,
        duration: 0,
        size: 0,
      },
    });
    const id = String(started.body.id);
    expect(await api('POST', '/archive', { sessionId })).toMatchObject({
      status: 409,
      body: { code: 40922 },
    });
    const tagged = await api('POST', '/archive', { sessionId, multiArchiveTag: 'audio', hasVideo: false });
    expect(tagged).toMatchObject({ status: 200, body: { multiArchiveTag: 'audio', hasVideo: false } });
    expect(await api('POST', '/archive', { sessionId, multiArchiveTag: 'audio' })).toMatchObject({
      status: 409,
      body: { code: 40923 },
    });
    const manual = await api('POST', '/archive', {
      sessionId,
      multiArchiveTag: 'manual',
      streamMode: 'manual',
    });
    const manualId = String(manual.body.id);

    expect(await api('DELETE', `/archive/${id}`)).toMatchObject({ status: 409, body: { code: 40925 } });
    expect(await api('PATCH', `/archive/${id}/streams`, { addStream: 'abc' })).toMatchObject({
      status: 405,
      body: { code: 40501 },
    });
    expect(await api('PATCH', `/archive/${manualId}/streams`, { addStream: 'abc' })).toMatchObject({
      status: 404,
      body: { code: 40423 },
    });
    expect(
      await api('PATCH', `/archive/${manualId}/streams`, { addStream: 'a', removeStream: 'a' }),
    ).toMatchObject({
      status: 400,
      body: { code: 40001 },
    });
    expect(await api('PUT', `/archive/${id}/layout`, { type: 'custom', stylesheet: 'x {}' })).toMatchObject({
      status: 400,
      body: { code: 40022 },
    });
    expect(await api('PUT', `/archive/${id}/layout`, { type: 'pip', stylesheet: 'x {}' })).toMatchObject({
      status: 400,
      body: { code: 40001 },
    });
    expect((await api('PUT', `/archive/${id}/layout`, { type: 'horizontalPresentation' })).status).toBe(200);

    const stopped = await api('POST', `/archive/${id}/stop`, {});
    expect(stopped).toMatchObject({ status: 200, body: { status: 'stopped', reason: 'user initiated' } });
    expect(await api('POST', `/archive/${id}/stop`, {})).toMatchObject({
      status: 409,
      body: { code: 40901 },
    });
    expect(await api('PUT', `/archive/${id}/layout`, { type: 'pip' })).toMatchObject({
      status: 409,
      body: { code: 40901 },
    });
    expect(await api('PATCH', `/archive/${manualId}/streams`, { removeStream: 'abc' })).toMatchObject({
      status: 404,
      body: { code: 40423 },
    });
    await api('POST', `/archive/${manualId}/stop`);
    await api('POST', `/archive/${String(tagged.body.id)}/stop`);
    expect(await api('PATCH', `/archive/${manualId}/streams`, { removeStream: 'abc' })).toMatchObject({
      status: 409,
      body: { code: 40901 },
    });

    const unknown = '5b1e8f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    for (const [method, path] of [
      ['GET', `/archive/${unknown}`],
      ['DELETE', `/archive/${unknown}`],
      ['POST', `/archive/${unknown}/stop`],
    ] as const) {
      expect(await api(method, path)).toMatchObject({ status: 404, body: { code: 40422 } });
    }
    expect(await api('PUT', `/archive/${unknown}/layout`, { type: 'pip' })).toMatchObject({ status: 404 });
    expect((await api('GET', '/archive/not-a-uuid')).status).toBe(400);
    expect(await api('GET', `/archive?sessionId=${sessionId}&session_id=other`)).toMatchObject({
      status: 400,
      body: { code: 40001 },
    });

    await kit.manager.settled();
    // Nothing was published, so the archives failed; they can be deleted, and stay readable as deleted.
    expect((await api('GET', `/archive/${id}`)).body).toMatchObject({ status: 'failed', url: null });
    const listed = await api('GET', `/archive?session_id=${sessionId}`);
    expect(listed.body.count).toBe(3);
    expect((listed.body.items as { id: string }[]).map((a) => a.id)).toEqual([
      manualId,
      String(tagged.body.id),
      id,
    ]);
    expect((await api('DELETE', `/archive/${id}`)).status).toBe(204);
    expect((await api('DELETE', `/archive/${id}`)).status).toBe(204);
    expect((await api('GET', `/archive/${id}`)).body).toMatchObject({ status: 'deleted' });
    const page = await api('GET', `/archive?sessionId=${sessionId}&offset=1&count=1`);
    expect(page.body).toMatchObject({ count: 2, items: [{ id: String(tagged.body.id) }] });
  });
});

describe('archive operations through the SDKs', () => {
  it('@vonage/video and Parley’s SDK start, list, get and stop archives of a live session', async () => {
    const sessionId = await kit.createSession();
    const source = kit.provider.open(sessionId);
    source.addStream('a', await kit.media({ video: 'vp8', audio: true }));
    const vonage = new Video(
      { applicationId: kit.credentials.applicationId, privateKey: kit.credentials.privateKeyPem },
      { videoHost: baseUrl },
    );
    const archive = await vonage.startArchive(sessionId, {
      name: 'Vonage SDK',
      resolution: Resolution.HD_LANDSCAPE,
    });
    expect(archive).toMatchObject({
      status: 'started',
      name: 'Vonage SDK',
      resolution: Resolution.HD_LANDSCAPE,
    });

    const parley = new Parley({
      applicationId: kit.credentials.applicationId,
      privateKey: kit.credentials.privateKeyPem,
      baseUrl,
      maxRetries: 0,
    });
    const second = await parley.archives.start(sessionId, { multiArchiveTag: 'parley', hasVideo: false });
    expect(second).toMatchObject({ status: 'started', hasVideo: false });
    await sleep(3000);
    const stopped = await vonage.stopArchive(archive.id);
    expect(stopped).toMatchObject({ status: 'stopped' });
    expect(await parley.archives.stop(second.id)).toMatchObject({ status: 'stopped' });
    await kit.manager.settled();

    const listed = await vonage.searchArchives({ sessionId });
    expect(listed.items.map((a) => a.id)).toEqual([second.id, archive.id]);
    const fetched = await parley.archives.retrieve(archive.id);
    expect(fetched).toMatchObject({ status: 'available', reason: 'user initiated' });
    expect(fetched.url).toContain(`/archive/${archive.id}/download`);
    expect(fetched.sha256sum).toMatch(/^[0-9a-f]{64}$/);
    const ids: string[] = [];
    for await (const a of parley.archives.list({ sessionId })) ids.push(a.id);
    expect(ids).toEqual([second.id, archive.id]);

    const file = await kit.files.openForDownload(kit.project.applicationId, archive.id);
    const probed = await probeMedia(file?.path ?? '');
    expect(probed.streams.find((s) => s.codecType === 'video')).toMatchObject({ width: 1280, height: 720 });
    await parley.archives.delete(second.id);
    expect((await vonage.getArchive(second.id)).status).toBe('deleted');
  }, 60_000);
});
