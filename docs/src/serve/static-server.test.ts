import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFor, type StaticServer, startStaticServer } from './static-server.js';

let root: string;
let server: StaticServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-static-'));
  mkdirSync(join(root, 'api'));
  writeFileSync(join(root, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(root, 'api', 'index.html'), '<h1>api</h1>');
  writeFileSync(join(root, 'search-index.json'), '{"entries":[]}');
  server = await startStaticServer({ root, port: 0 });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('static server', () => {
  it('listens on 127.0.0.1 and serves files with their content type', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/search-index.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ entries: [] });
  });

  it('serves index.html for directories', async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toBe('<h1>home</h1>');
    expect(await (await fetch(`${server.url}/api/`)).text()).toBe('<h1>api</h1>');
  });

  it('answers 404 for missing files and 405 for other methods', async () => {
    expect((await fetch(`${server.url}/missing.html`)).status).toBe(404);
    expect((await fetch(`${server.url}/index.html`, { method: 'POST' })).status).toBe(405);
  });

  it('never maps a path outside the root', () => {
    expect(fileFor('/site', '/../etc/passwd')).toBe('/site/etc/passwd');
    expect(fileFor('/site', '/%2e%2e/%2e%2e/etc/passwd')).toBe('/site/etc/passwd');
    expect(fileFor('/site', '/a%00b')).toBeNull();
    expect(fileFor('/site', '/%E0%A4%A')).toBeNull();
  });
});
