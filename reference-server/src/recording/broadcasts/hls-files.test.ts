import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingError } from '../errors.js';
import { broadcastPaths, endPlaylist, findHlsFile, readMeta, sweepExpired, writeMeta } from './hls-files.js';

const ID = '0b6c2f4e-3a1d-4c5e-9f8a-7b6c5d4e3f2a';
const OTHER = '1b6c2f4e-3a1d-4c5e-9f8a-7b6c5d4e3f2a';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-hls-files-'));
  const { hls } = broadcastPaths(root, ID);
  await mkdir(hls, { recursive: true });
  await writeFile(
    join(hls, 'index.m3u8'),
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nsegment-00000.ts\n',
  );
  await writeFile(join(hls, 'segment-00000.ts'), Buffer.alloc(188));
  await writeFile(
    join(root, ID, 'broadcast.json'),
    JSON.stringify({ id: ID, applicationId: 'app', stoppedAt: null }),
  );
  await writeFile(join(root, 'secret.ts'), 'outside');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function codeOf(work: Promise<unknown>): Promise<number> {
  try {
    await work;
  } catch (error) {
    if (error instanceof RecordingError) return error.code;
    throw error;
  }
  return 0;
}

describe('findHlsFile', () => {
  it('finds playlists (no-cache) and segments (cacheable) with their content types', async () => {
    expect(await findHlsFile(root, ID, 'index.m3u8')).toMatchObject({
      contentType: 'application/vnd.apple.mpegurl',
      cacheControl: 'no-cache',
    });
    expect(await findHlsFile(root, ID, 'segment-00000.ts')).toMatchObject({
      contentType: 'video/mp2t',
      size: 188,
      cacheControl: expect.stringContaining('max-age'),
    });
  });

  it.each([
    ['../secret.ts'],
    ['..%2Fsecret.ts'],
    ['/etc/passwd'],
    ['..\\secret.ts'],
    ['index.m3u8/../../secret.ts'],
    ['broadcast.json'],
    ['segment-00000.sdp'],
  ])('never names a file outside the HLS directory: %s', async (file) => {
    expect(await codeOf(findHlsFile(root, ID, file))).toBe(40001);
  });

  it('answers 40431 for an unknown broadcast or a non-UUID ID, 40432 for a missing file', async () => {
    expect(await codeOf(findHlsFile(root, OTHER, 'index.m3u8'))).toBe(40431);
    expect(await codeOf(findHlsFile(root, '..', 'secret.ts'))).toBe(40431);
    expect(await codeOf(findHlsFile(root, ID, 'segment-00001.ts'))).toBe(40432);
  });
});

describe('endPlaylist', () => {
  it('appends #EXT-X-ENDLIST once and reports a missing playlist', async () => {
    const { hls } = broadcastPaths(root, ID);
    expect(await endPlaylist(hls)).toBe(true);
    expect(await endPlaylist(hls)).toBe(true);
    const text = await readFile(join(hls, 'index.m3u8'), 'utf8');
    expect(text.match(/#EXT-X-ENDLIST/g)).toHaveLength(1);
    expect(text.endsWith('segment-00000.ts\n#EXT-X-ENDLIST\n')).toBe(true);
    expect(await endPlaylist(join(root, 'nothing'))).toBe(false);
  });
});

describe('sweepExpired', () => {
  it('deletes only the directories of broadcasts stopped longer ago than the retention', async () => {
    const kept = '2b6c2f4e-3a1d-4c5e-9f8a-7b6c5d4e3f2a';
    const expired = '3b6c2f4e-3a1d-4c5e-9f8a-7b6c5d4e3f2a';
    for (const id of [kept, expired]) await mkdir(broadcastPaths(root, id).hls, { recursive: true });
    await writeMeta(root, { id: kept, applicationId: 'app', stoppedAt: 9_000 });
    await writeMeta(root, { id: expired, applicationId: 'app', stoppedAt: 1_000 });
    expect(await sweepExpired(root, 10_000, 5_000)).toEqual([expired]);
    expect(await readMeta(root, kept)).toEqual({ id: kept, applicationId: 'app', stoppedAt: 9_000 });
    await expect(stat(join(root, expired))).rejects.toThrow();
    // Running broadcasts (no stop time) and unrelated files are left alone.
    expect(await stat(join(root, ID))).toBeTruthy();
    expect(await stat(join(root, 'secret.ts'))).toBeTruthy();
  });
});
