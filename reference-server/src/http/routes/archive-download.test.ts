import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveFiles } from '../../recording/storage/index.js';
import type { ArchiveRecord } from '../../store/types.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { archiveDownloadResource, parseRange } from './archive-download.js';

const ARCHIVE = '5b1e8f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const RECORDING = '6c2f9a3b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=9-0', 100, null],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
  ] as const)('%s of %d bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('downloadArchive over HTTP', () => {
  let h: Harness;
  let root: string;
  let base: string;
  let files: ArchiveFiles;
  let clock = Date.now();
  const bytes = randomBytes(100_000);

  const archive = (id: string, status: ArchiveRecord['status']): ArchiveRecord => ({
    id,
    applicationId: h.project.applicationId,
    sessionId: '2_MX4xfn4xfjF-fg',
    status,
    createdAt: clock,
    updatedAt: clock,
    data: { outputMode: 'composed' },
  });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-download-'));
    files = new ArchiveFiles({
      directory: join(root, 'store'),
      signingSecret: 'download test key, 16+ bytes long',
      baseUrl: () => base,
      now: () => clock,
    });
    h = await createHarness({ recording: null, resources: [archiveDownloadResource(files)] });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const path = join(root, 'out.mp4');
    await writeFile(path, bytes);
    await files.finalize(h.project, ARCHIVE, { path, contentType: 'video/mp4', extension: 'mp4' });
    await h.store.archives.put(archive(ARCHIVE, 'available'));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await rm(root, { recursive: true, force: true });
  });

  const link = (id = ARCHIVE): string => {
    const url = files.downloadUrl(h.project.applicationId, id);
    if (!url) throw new Error('no link');
    return url;
  };
  const errorOf = async (response: Response) => (await response.json()) as { code: number; message: string };

  it('serves the whole file with its type, length, name, digest and dates, without credentials', async () => {
    const response = await fetch(link());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${ARCHIVE}.mp4"`);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('etag')).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    expect(Date.parse(response.headers.get('last-modified') ?? '')).toBeGreaterThan(0);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('answers a byte range with 206 and Content-Range, and a suffix range with the end of the file', async () => {
    const part = await fetch(link(), { headers: { range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(part.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(1000, 2000));

    const tail = await fetch(link(), { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
  });

  it('answers a range past the end with 416, 41621 and the size', async () => {
    const response = await fetch(link(), { headers: { range: `bytes=${bytes.length}-` } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect((await errorOf(response)).code).toBe(41621);
  });

  it('sends the whole file when If-Range names an older version', async () => {
    const response = await fetch(link(), { headers: { range: 'bytes=0-9', 'if-range': '"0000"' } });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    await response.arrayBuffer();
  });

  it('refuses a tampered or expired link with 403 40321, and a malformed one with 400', async () => {
    const url = new URL(link());
    const signature = url.searchParams.get('signature') ?? '';
    const tampered = new URL(url);
    tampered.searchParams.set('signature', `${signature.slice(0, -1)}${signature.endsWith('a') ? 'b' : 'a'}`);
    const forged = await fetch(tampered);
    expect(forged.status).toBe(403);
    expect(await errorOf(forged)).toEqual({
      code: 40321,
      message: expect.stringMatching(/signature does not match/),
    });

    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await fetch(longer)).status).toBe(403);

    const apiKeyPath = new URL(url.href.replace(h.project.applicationId, h.project.apiKey));
    expect((await fetch(apiKeyPath)).status).toBe(403);

    clock += 601_000;
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect((await errorOf(expired)).message).toMatch(/expired/);
    clock -= 601_000;

    const malformed = new URL(url);
    malformed.searchParams.set('signature', 'not-hex');
    const bad = await fetch(malformed);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/signature/);
  });

  it('answers 404 40422 for an unknown archive and 40424 for one that is not available', async () => {
    const unknown = 'ffffffff-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    const path = join(root, 'other.mp4');
    await writeFile(path, bytes.subarray(0, 10));
    await files.finalize(h.project, unknown, { path, contentType: 'video/mp4', extension: 'mp4' });
    const missing = await fetch(link(unknown));
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe(40422);

    await h.store.archives.put(archive(unknown, 'started'));
    const recording = await fetch(link(unknown));
    expect(recording.status).toBe(404);
    expect(await errorOf(recording)).toEqual({
      code: 40424,
      message: expect.stringMatching(/status is started/),
    });

    // A valid signature for an archive with no stored file at all.
    await h.store.archives.put(archive(RECORDING, 'available'));
    const signed = new URL(link());
    const other = new URL(signed.href.replace(ARCHIVE, RECORDING));
    const { signDownload } = await import('../../recording/storage/signed-url.js');
    const expires = Number(other.searchParams.get('expires'));
    other.searchParams.set(
      'signature',
      signDownload('download test key, 16+ bytes long', h.project.applicationId, RECORDING, expires),
    );
    const noFile = await fetch(other);
    expect(noFile.status).toBe(404);
    expect((await errorOf(noFile)).code).toBe(40424);
  });
});
