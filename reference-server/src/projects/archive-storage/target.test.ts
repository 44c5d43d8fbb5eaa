import { describe, expect, it } from 'vitest';
import { SecretBox } from '../secret-box.js';
import {
  archiveStorageView,
  describeArchiveStorage,
  normaliseArchiveStorage,
  openArchiveStorage,
  sealArchiveStorage,
} from './target.js';

const secrets = SecretBox.ephemeral();
const s3 = normaliseArchiveStorage({
  type: 's3',
  config: { accessKey: 'AK', secretKey: 'SECRET', bucket: 'archives', endpoint: 'https://s3.example.com/' },
});

describe('archive storage targets', () => {
  it('keeps the spec fields, applies the defaults and drops anything else', () => {
    expect(s3).toEqual({
      type: 's3',
      config: {
        accessKey: 'AK',
        secretKey: 'SECRET',
        bucket: 'archives',
        endpoint: 'https://s3.example.com',
        sse: 'none',
      },
      fallback: 'opentok',
    });
    const azure = normaliseArchiveStorage({
      type: 'azure',
      // A field of the other type is ignored, not stored.
      config: { accountName: 'acct', accountKey: 'a2V5', container: 'c', bucket: 'x' } as never,
      fallback: 'none',
    });
    expect(azure).toEqual({
      type: 'azure',
      config: { accountName: 'acct', accountKey: 'a2V5', container: 'c' },
      fallback: 'none',
    });
    expect(describeArchiveStorage(azure)).toBe('azure container c');
  });

  it('stores the secret sealed, shows everything else, and opens it only for its project', () => {
    const stored = sealArchiveStorage(s3, 'app-1', secrets, 42);
    expect(stored.config.secretKey).toMatch(/^v1\./);
    expect(JSON.stringify(stored)).not.toContain('SECRET');
    expect(archiveStorageView(stored)).toEqual({
      type: 's3',
      config: { accessKey: 'AK', bucket: 'archives', endpoint: 'https://s3.example.com', sse: 'none' },
      fallback: 'opentok',
      updatedAt: 42,
    });
    expect(openArchiveStorage(stored, 'app-1', secrets)).toEqual(s3);
    expect(() => openArchiveStorage(stored, 'app-2', secrets)).toThrow(/does not open/);
    expect(() => openArchiveStorage(stored, 'app-1', SecretBox.ephemeral())).toThrow(/does not open/);
  });
});
