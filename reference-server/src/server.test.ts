import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type ServerConfig } from './config.js';
import type { CredentialsFile } from './projects/credentials-file.js';
import { type RunningServer, startServer } from './server.js';
import { opentokJwt } from './testing/harness.js';

describe('startServer', () => {
  let dataDir: string;
  let running: RunningServer | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-server-'));
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const config = (): ServerConfig =>
    loadConfig({
      argv: ['--port', '0', '--data-dir', dataDir, '--log-level', 'silent'],
      env: {},
      cwd: dataDir,
    });
  const start = async (): Promise<{ server: RunningServer; output: string }> => {
    let output = '';
    const server = await startServer(config(), {
      out: { write: (t: string) => (output += t) },
      logger: pino({ level: 'silent' }),
    });
    running = server;
    return { server, output };
  };

  it('creates the default project on first start, writes credentials.json (0600) and prints them', async () => {
    const { server, output } = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.created).not.toBeNull();
    const file = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    expect(file).toMatchObject({ apiUrl: server.url, applicationId: server.created?.applicationId });
    expect(file.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(file.accountKey).toBe(server.account.apiKey);
    for (const name of ['credentials.json', 'account.json', 'parley.db']) {
      expect((await stat(join(dataDir, name))).mode & 0o777).toBe(0o600);
    }
    expect(output).toContain(`listening on ${server.url}`);
    expect(output).toContain(file.apiSecret);
    expect(output).toContain('-----BEGIN PRIVATE KEY-----');

    const res = await fetch(`${server.url}/session/create`, {
      method: 'POST',
      headers: { 'x-opentok-auth': await opentokJwt({ apiKey: file.apiKey, apiSecret: file.apiSecret }) },
    });
    expect(res.status).toBe(200);
  });

  it('keeps projects and sessions across a restart and does not create another project', async () => {
    const first = await start();
    const file = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    const res = await fetch(`${first.server.url}/session/create`, {
      method: 'POST',
      headers: {
        'x-opentok-auth': await opentokJwt({ apiKey: file.apiKey, apiSecret: file.apiSecret }),
        accept: 'application/json',
      },
    });
    const [{ session_id: sessionId }] = (await res.json()) as [{ session_id: string }];
    await first.server.close();
    running = undefined;

    const second = await start();
    expect(second.server.created).toBeNull();
    expect(second.output).not.toContain('PRIVATE KEY');
    expect(second.output).toContain(file.applicationId);
    expect(second.server.account).toEqual(first.server.account);
    expect(await second.server.store.projects.list()).toHaveLength(1);
    expect(await second.server.store.sessions.get(sessionId)).toMatchObject({
      applicationId: file.applicationId,
    });
    const updated = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    expect(updated).toEqual({ ...file, apiUrl: second.server.url });
  });

  it('closes: marks the app draining, stops listening and closes the store', async () => {
    const { server } = await start();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    await server.close();
    running = undefined;
    expect(server.app.parley.lifecycle.phase).toBe('draining');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await expect(server.store.projects.list()).rejects.toThrow();
    // Closing twice is harmless.
    await server.close();
  });
});
