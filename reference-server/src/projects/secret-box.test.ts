import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecretBox, SECRET_KEY_FILE, SecretBox, SecretBoxError } from './secret-box.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SecretBox', () => {
  const box = SecretBox.ephemeral();

  it('derives a stable 32-byte key per purpose, different from other purposes and other boxes', () => {
    const key = new Uint8Array(32).fill(7);
    const box = new SecretBox(key);
    const links = box.deriveKey('archive-download-links');
    expect(links).toHaveLength(32);
    expect(new SecretBox(key).deriveKey('archive-download-links')).toEqual(links);
    expect(box.deriveKey('something-else')).not.toEqual(links);
    expect(SecretBox.ephemeral().deriveKey('archive-download-links')).not.toEqual(links);
    expect(links).not.toEqual(Buffer.from(key));
  });

  it('round-trips, with a fresh IV every time', () => {
    const a = box.seal('s3cr3t', 'ctx');
    const b = box.seal('s3cr3t', 'ctx');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr3t');
    expect(box.open(a, 'ctx')).toBe('s3cr3t');
  });

  it('refuses another context, another key, tampering and garbage', () => {
    const sealed = box.seal('s3cr3t', 'ctx');
    expect(() => box.open(sealed, 'other')).toThrow(SecretBoxError);
    expect(() => SecretBox.ephemeral().open(sealed, 'ctx')).toThrow(SecretBoxError);
    const [v, iv, body = ''] = sealed.split('.');
    const flipped = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => box.open(`${v}.${iv}.${flipped}`, 'ctx')).toThrow(SecretBoxError);
    expect(() => box.open('plain text', 'ctx')).toThrow('Not a sealed secret');
    expect(() => new SecretBox(new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('loadOrCreateSecretBox', () => {
  it('creates an owner-only key once and reuses it', async () => {
    const first = await loadOrCreateSecretBox(dir);
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateSecretBox(dir);
    expect(second.open(first.seal('x', 'c'), 'c')).toBe('x');
  });

  it('gives concurrent callers the same key', async () => {
    const sub = mkdtempSync(join(dir, 'race-'));
    const boxes = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateSecretBox(sub)));
    const sealed = boxes[0]?.seal('x', 'c') ?? '';
    for (const box of boxes) expect(box.open(sealed, 'c')).toBe('x');
  });

  it('refuses a damaged key file', async () => {
    const sub = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(sub, SECRET_KEY_FILE), 'c2hvcnQ=\n');
    await expect(loadOrCreateSecretBox(sub)).rejects.toThrow(/32-byte/);
  });
});
