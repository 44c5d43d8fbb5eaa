import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseArchiveStorage, sealArchiveStorage } from '../../projects/archive-storage/target.js';
import { type FakeS3, startFakeS3 } from '../../projects/archive-storage/testing/fake-s3.js';
import { SecretBox } from '../../projects/secret-box.js';
import type { ProjectRecord } from '../../store/types.js';
import { ArchiveFiles } from './archive-files.js';
import { signDownload, verifyDownload } from './signed-url.js';

const APP = '1c3f2d9e-8b7a-4c5d-9e0f-112233445566';
const ARCHIVE = '5b1e8f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const KEY = 'server signing key for tests, 32+';
const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const project = (overrides: Partial<ProjectRecord> = {}): ProjectRecord => ({
  applicationId: APP,
  apiKey: '47123456',
  apiSecret: 'x'.repeat(40),
  publicKeyPem: '',
  webhookSecret: 'whsec_x',
  name: 'Test',
  status: 'ACTIVE',
  callbackUrls: {},
  archiveStorage: null,
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

describe('signed download links', () => {
  const link = { projectId: APP, archiveId: ARCHIVE, expires: 1_700_000_930 };
  const signature = signDownload(KEY, link.projectId, link.archiveId, link.expires);

  it('signs "<projectId>/<archiveId>:<expires>" as lowercase hex HMAC-SHA256', () => {
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyDownload(KEY, { ...link, signature }, 1_700_000_930)).toBe('valid');
  });

  it('rejects a tampered project, archive, expiry or signature, and a different key', () => {
    expect(verifyDownload(KEY, { ...link, projectId: '47123456', signature }, 0)).toBe('invalid');
    expect(verifyDownload(KEY, { ...link, archiveId: `${ARCHIVE.slice(0, -1)}c`, signature }, 0)).toBe(
      'invalid',
    );
    expect(verifyDownload(KEY, { ...link, expires: link.expires + 1, signature }, 0)).toBe('invalid');
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    expect(verifyDownload(KEY, { ...link, signature: flipped }, 0)).toBe('invalid');
    expect(verifyDownload(KEY, { ...link, signature: signature.toUpperCase() }, 0)).toBe('invalid');
    expect(verifyDownload('another key of the server', { ...link, signature }, 0)).toBe('invalid');
  });

  it('reports an expired link only when its signature is right', () => {
    expect(verifyDownload(KEY, { ...link, signature }, link.expires + 1)).toBe('expired');
    expect(verifyDownload(KEY, { ...link, signature: '0'.repeat(64) }, link.expires + 1)).toBe('invalid');
  });
});

describe('ArchiveFiles', () => {
  let root: string;
  let s3: FakeS3;
  const secrets = SecretBox.ephemeral();
  let clock = 1_700_000_000_000;
  let files: ArchiveFiles;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-archive-files-'));
    s3 = await startFakeS3({
      credentials: { AKIAIOSFODNN7EXAMPLE: S3_SECRET },
      buckets: { archives: 'us-east-1' },
    });
    files = new ArchiveFiles({
      directory: join(root, 'store'),
      signingSecret: KEY,
      baseUrl: () => 'https://video.example.com/',
      now: () => clock,
      secrets,
    });
  });
  afterAll(async () => {
    await s3.close();
    await rm(root, { recursive: true, force: true });
  });

  const recorded = async (name: string, bytes = randomBytes(50_000)) => {
    const path = join(root, name);
    await writeFile(path, bytes);
    return { path, bytes };
  };
  const s3Project = (overrides: Record<string, string> = {}, fallback: 'none' | 'opentok' = 'opentok') =>
    project({
      archiveStorage: sealArchiveStorage(
        normaliseArchiveStorage({
          type: 's3',
          config: {
            accessKey: 'AKIAIOSFODNN7EXAMPLE',
            secretKey: S3_SECRET,
            bucket: 'archives',
            endpoint: s3.endpoint,
            ...overrides,
          },
          fallback,
        }),
        APP,
        secrets,
        0,
      ),
    });

  it('moves a file into <dir>/<applicationId>/<archiveId>.<ext> with its digest, 0600 in a 0700 directory', async () => {
    const { path, bytes } = await recorded('composed.mp4');
    const result = await files.finalize(project(), ARCHIVE, {
      path,
      contentType: 'video/mp4',
      extension: 'mp4',
    });
    expect(result).toEqual({
      status: 'available',
      size: bytes.length,
      sha256sum: createHash('sha256').update(bytes).digest('hex'),
    });
    await expect(stat(path)).rejects.toThrow();
    const stored = join(root, 'store', APP, `${ARCHIVE}.mp4`);
    expect(await readFile(stored)).toEqual(bytes);
    expect((await stat(stored)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'store', APP))).mode & 0o777).toBe(0o700);
    expect((await readdir(join(root, 'store', APP))).sort()).toEqual([`${ARCHIVE}.json`, `${ARCHIVE}.mp4`]);

    const opened = await files.openForDownload(APP, ARCHIVE);
    expect(opened).toMatchObject({
      path: stored,
      size: bytes.length,
      contentType: 'video/mp4',
      extension: 'mp4',
    });
    expect(opened?.sha256sum).toBe(result.sha256sum);
  });

  it('issues a signed link valid for 10 minutes, which verifies until it expires', () => {
    const url = new URL(files.downloadUrl(APP, ARCHIVE) ?? '');
    expect(url.origin + url.pathname).toBe(
      `https://video.example.com/v2/project/${APP}/archive/${ARCHIVE}/download`,
    );
    const expires = Number(url.searchParams.get('expires'));
    expect(expires).toBe(clock / 1000 + 600);
    const signature = url.searchParams.get('signature') ?? '';
    expect(files.verifyLink({ projectId: APP, archiveId: ARCHIVE, expires, signature })).toBe('valid');
    clock += 601_000;
    expect(files.verifyLink({ projectId: APP, archiveId: ARCHIVE, expires, signature })).toBe('expired');
    clock -= 601_000;
  });

  it('has no link or file for an unknown archive, and rejects IDs that are not IDs', async () => {
    expect(files.downloadUrl(APP, 'b40ef09b-3811-4726-b508-e41a0f96c68f')).toBeNull();
    expect(files.downloadUrl(APP, '../etc')).toBeNull();
    expect(await files.openForDownload(APP, '../../x')).toBeNull();
    const { path } = await recorded('bad.mp4');
    await expect(
      files.finalize(project(), '../x', { path, contentType: 'video/mp4', extension: 'mp4' }),
    ).rejects.toThrow(/archiveId "..\/x" is not a valid ID/);
  });

  it('deletes the stored file and its record', async () => {
    const { path } = await recorded('to-delete.zip');
    const id = 'c0ffee00-3811-4726-b508-e41a0f96c68f';
    await files.finalize(project(), id, { path, contentType: 'application/zip', extension: 'zip' });
    expect(files.downloadUrl(APP, id)).not.toBeNull();
    await files.delete(APP, id);
    expect(files.downloadUrl(APP, id)).toBeNull();
    expect(await files.openForDownload(APP, id)).toBeNull();
    expect((await readdir(join(root, 'store', APP))).some((name) => name.startsWith(id))).toBe(false);
  });

  it("uploads to the project's S3 target as <apiKey>/<archiveId>/archive.<ext> and keeps no local copy", async () => {
    const { path, bytes } = await recorded('upload.mp4');
    const id = 'aa000000-3811-4726-b508-e41a0f96c68f';
    const result = await files.finalize(s3Project(), id, {
      path,
      contentType: 'video/mp4',
      extension: 'mp4',
    });
    expect(result).toEqual({
      status: 'uploaded',
      size: bytes.length,
      sha256sum: createHash('sha256').update(bytes).digest('hex'),
    });
    const object = s3.objects.get(`archives/47123456/${id}/archive.mp4`);
    expect(object?.body).toEqual(bytes);
    expect(object?.headers['content-type']).toBe('video/mp4');
    await expect(stat(path)).rejects.toThrow();
    expect(files.downloadUrl(APP, id)).toBeNull();
  });

  it('keeps the file locally when the upload fails and the fallback is opentok, with the error as reason', async () => {
    const { path, bytes } = await recorded('fallback.mp4');
    const id = 'bb000000-3811-4726-b508-e41a0f96c68f';
    const result = await files.finalize(s3Project({ secretKey: 'wrong' }), id, {
      path,
      contentType: 'video/mp4',
      extension: 'mp4',
    });
    expect(result).toMatchObject({ status: 'available', size: bytes.length });
    expect(result.reason).toMatch(/^Upload to s3 bucket archives failed: .*SignatureDoesNotMatch/);
    expect(files.downloadUrl(APP, id)).not.toBeNull();
  });

  it('drops the file when the upload fails and the fallback is none', async () => {
    const { path } = await recorded('dropped.zip');
    const id = 'cc000000-3811-4726-b508-e41a0f96c68f';
    const result = await files.finalize(s3Project({ bucket: 'missing' }, 'none'), id, {
      path,
      contentType: 'application/zip',
      extension: 'zip',
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/s3 bucket missing failed: .*NoSuchBucket/);
    await expect(stat(path)).rejects.toThrow();
    expect(files.downloadUrl(APP, id)).toBeNull();
  });
});
