import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AzureTarget,
  azurePutBlob,
  blobUrl,
  defaultAzureEndpoint,
  sharedKeyStringToSign,
} from './azure.js';
import { type FakeAzure, startFakeAzure } from './testing/fake-azure.js';

const accountKey = Buffer.from('parley-test-account-key-0123456789').toString('base64');
const target: AzureTarget = { accountName: 'parleyarchives', accountKey, container: 'video-archives' };
let azure: FakeAzure;
beforeAll(async () => {
  azure = await startFakeAzure({
    accounts: { parleyarchives: accountKey },
    containers: ['parleyarchives/video-archives'],
  });
});
afterAll(() => azure.close());

const put = (overrides: Partial<AzureTarget> = {}, blobName = '12345678/é 1/archive.mp4') =>
  azurePutBlob(
    { ...target, ...overrides },
    { blobName, body: Buffer.from('bytes'), contentType: 'video/mp4', endpointFor: () => azure.endpoint },
  );

describe('azurePutBlob against a Blob service', () => {
  it('writes a block blob with a valid Shared Key signature', async () => {
    expect(await put()).toEqual({ ok: true, status: 201 });
    const blob = azure.blobs.get('parleyarchives/video-archives/12345678/é 1/archive.mp4');
    expect(blob?.body.toString()).toBe('bytes');
    expect(blob?.headers['x-ms-blob-type']).toBe('BlockBlob');
  });

  it('reports AuthenticationFailed for a wrong key and ContainerNotFound for a missing container', async () => {
    const wrongKey = Buffer.from('another key').toString('base64');
    expect(await put({ accountKey: wrongKey })).toEqual({
      ok: false,
      status: 403,
      reason: 'AuthenticationFailed',
    });
    expect(await put({ container: 'nope' })).toEqual({ ok: false, status: 404, reason: 'ContainerNotFound' });
  });
});

describe('Shared Key pieces', () => {
  it('builds the documented string to sign (empty Content-Length when zero, sorted x-ms headers, query)', () => {
    const text = sharedKeyStringToSign(
      {
        method: 'put',
        url: new URL('https://a.blob.core.windows.net/c/b.txt?comp=block&blockid=x'),
        headers: {
          'Content-Length': '0',
          'x-ms-version': '2021-08-06',
          'x-ms-date': 'D',
          'Content-Type': 'text/plain',
        },
      },
      'a',
    );
    expect(text).toBe(
      'PUT\n\n\n\n\ntext/plain\n\n\n\n\n\n\nx-ms-date:D\nx-ms-version:2021-08-06\n/a/c/b.txt\nblockid:x\ncomp:block',
    );
  });

  it('uses the account endpoint, or the custom domain', () => {
    expect(defaultAzureEndpoint(target)).toBe('https://parleyarchives.blob.core.windows.net');
    expect(defaultAzureEndpoint({ ...target, domain: 'archives.example.com' })).toBe(
      'https://archives.example.com',
    );
    expect(blobUrl(target, '1/a b.mp4', 'https://x').href).toBe('https://x/video-archives/1/a%20b.mp4');
  });
});
