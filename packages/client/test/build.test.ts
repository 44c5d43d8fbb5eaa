/**
 * Packaging: the ESM bundle is one self-contained, browser-safe file, and its declarations type-check in
 * a consumer project that knows nothing of this workspace.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../scripts/build.ts';

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-client-build-'));
  bundle = readFileSync(await buildClient(join(dir, 'dist')), 'utf8');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundle', () => {
  it('imports nothing and uses no Node built-ins', () => {
    expect(bundle).not.toMatch(/^\s*import\s/m);
    expect(bundle).not.toMatch(/\brequire\(|from\s*["']node:|\bprocess\.env\b|\bBuffer\./);
    expect(bundle).toMatch(/export\s*\{[^}]*\binitSession\b/);
  });

  it('keeps the names the e2ee worker source relies on', async () => {
    const module = (await import(join(dir, 'dist', 'parley-client.js'))) as Record<string, unknown>;
    expect(typeof module.initSession).toBe('function');
    expect(typeof module.ParleyClientError).toBe('function');
    expect(bundle).toContain('function encryptFrameData(');
    // The worker is built from function text; helpers injected by the bundler would be undefined there.
    expect(bundle).not.toContain('__name(');
  });

  it('ships declarations that type-check from a consumer project', () => {
    const consumer = join(dir, 'consumer.ts');
    writeFileSync(
      consumer,
      [
        "import { initSession, ParleyClientError, type SignalEvent } from './dist/types/index.js';",
        "const session = initSession('p', 's', { url: 'https://x' });",
        "session.on('signal:chat', (event: SignalEvent) => event.from?.connectionId);",
        "session.on('streamCreated', ({ stream }) => void session.subscribe(stream));",
        'export const isError = (error: unknown) => error instanceof ParleyClientError && error.code === 1004;',
      ].join('\n'),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'ES2022'];
    args.push('--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--lib', 'ES2023,DOM,DOM.Iterable');
    expect(() =>
      execFileSync(process.execPath, [...args, consumer], { cwd: dir, stdio: 'pipe' }),
    ).not.toThrow();
  }, 60_000);
});
