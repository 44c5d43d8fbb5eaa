import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectUrl, regionForEndpoint, s3PutObject } from './s3.js';
import { type FakeS3, startFakeS3 } from './testing/fake-s3.js';

const credentials = { accessKey: 'AKIAPARLEYTEST', secretKey: 'parley/secret+key' };
const body = Buffer.from('hello archive');
let s3: FakeS3;
beforeAll(async () => {
  s3 = await startFakeS3({
    credentials: { [credentials.accessKey]: credentials.secretKey },
    buckets: { archives: 'us-east-1', 'eu.archives': 'eu-west-1' },
  });
});
afterAll(() => s3.close());

const put = (overrides: Partial<Parameters<typeof s3PutObject>[0]> = {}, key = '12345678/a b/archive.mp4') =>
  s3PutObject(
    { ...credentials, bucket: 'archives', endpoint: s3.endpoint, ...overrides },
    { key, body, contentType: 'video/mp4' },
  );

describe('s3PutObject against an S3-compatible server', () => {
  it('writes the object with a valid signature, content type and body', async () => {
    expect(await put()).toEqual({ ok: true, status: 200 });
    const stored = s3.objects.get('archives/12345678/a b/archive.mp4');
    expect(stored?.body.toString()).toBe('hello archive');
    expect(stored?.headers['content-type']).toBe('video/mp4');
    expect(stored?.headers['x-amz-server-side-encryption']).toBeUndefined();
  });

  it('asks for server-side encryption when sse is s3 (and signs the header)', async () => {
    expect((await put({ sse: 's3' }, 'sse.txt')).ok).toBe(true);
    expect(s3.objects.get('archives/sse.txt')?.headers['x-amz-server-side-encryption']).toBe('AES256');
  });

  it('reports the provider error code when the secret or the bucket is wrong', async () => {
    expect(await put({ secretKey: 'wrong' })).toEqual({
      ok: false,
      status: 403,
      reason: 'SignatureDoesNotMatch',
    });
    expect(await put({ accessKey: 'AKIAUNKNOWN' })).toEqual({
      ok: false,
      status: 403,
      reason: 'InvalidAccessKeyId',
    });
    expect(await put({ bucket: 'missing' })).toEqual({ ok: false, status: 404, reason: 'NoSuchBucket' });
  });

  it('retries once, signed for the region the provider names', async () => {
    const before = s3.outcomes.length;
    expect(await put({ bucket: 'eu.archives' }, 'r.txt')).toEqual({ ok: true, status: 200 });
    expect(s3.outcomes.slice(before)).toEqual(['AuthorizationHeaderMalformed', '200']);
  });

  it('reports a refused connection and a timeout without throwing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await put({ endpoint: `http://127.0.0.1:${port}` });
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.ok === false && refused.reason).toContain('ECONNREFUSED');

    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const result = await s3PutObject(
        { ...credentials, bucket: 'archives', endpoint },
        { key: 'k', body, contentType: 'text/plain', timeoutMs: 100 },
      );
      expect(result).toEqual({ ok: false, status: null, reason: 'the request timed out' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('addressing', () => {
  it('uses virtual-hosted URLs on Amazon when the bucket name allows, path style otherwise', () => {
    const amazon = new URL('https://s3.amazonaws.com');
    expect(objectUrl(amazon, 'archives', '1/a.mp4').href).toBe('https://archives.s3.amazonaws.com/1/a.mp4');
    expect(objectUrl(amazon, 'example.com.bucket', '1/a.mp4').href).toBe(
      'https://s3.amazonaws.com/example.com.bucket/1/a.mp4',
    );
    expect(objectUrl(new URL('http://minio:9000/'), 'archives', '1/a b.mp4').href).toBe(
      'http://minio:9000/archives/1/a%20b.mp4',
    );
  });

  it('derives the signing region from Amazon endpoints', () => {
    expect(regionForEndpoint(new URL('https://s3.amazonaws.com'))).toBe('us-east-1');
    expect(regionForEndpoint(new URL('https://s3.eu-west-1.amazonaws.com'))).toBe('eu-west-1');
    expect(regionForEndpoint(new URL('https://s3-ap-southeast-2.amazonaws.com'))).toBe('ap-southeast-2');
    expect(regionForEndpoint(new URL('https://storage.googleapis.com'))).toBe('us-east-1');
  });
});
