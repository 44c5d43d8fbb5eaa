/**
 * Smoke test of the README's start command: `pnpm start -- --port 0 --data-dir <dir>` at the repository
 * root, then a real call with the printed credentials, then SIGTERM and a clean exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialsFile } from '../../projects/credentials-file.js';
import { opentokJwt } from '../../testing/harness.js';
import { startHelp } from './start.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('pnpm start', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-start-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts, prints the URL and credentials, serves requests and exits 0 on SIGTERM', async () => {
    // Its own process group, so a failed run can be cleaned up entirely.
    const proc = spawn('pnpm', ['start', '--', '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolveExit) => proc.on('exit', (code) => resolveExit(code)));
    const banner = await new Promise<RegExpExecArray>((resolveBanner, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/.exec(output);
        if (match) resolveBanner(match);
      });
      void exited.then((code) =>
        reject(new Error(`pnpm start exited (${code}) before listening:\n${output}`)),
      );
    });
    const [, url, pid] = banner;
    const credentials = JSON.parse(
      await readFile(join(dataDir, 'credentials.json'), 'utf8'),
    ) as CredentialsFile;
    expect(credentials.apiUrl).toBe(url);
    expect(output).toContain(`Application ID:   ${credentials.applicationId}`);
    expect(output).toContain(`API secret:       ${credentials.apiSecret}`);

    const res = await fetch(`${url}/session/create`, {
      method: 'POST',
      headers: {
        'x-opentok-auth': await opentokJwt({ apiKey: credentials.apiKey, apiSecret: credentials.apiSecret }),
      },
    });
    expect(res.status).toBe(200);

    process.kill(Number(pid), 'SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/"msg":"stopped"/);
  }, 60_000);
});

describe('parley start --help', () => {
  it('lists every option with its environment variable and default', () => {
    const help = startHelp();
    expect(help).toContain('--port');
    expect(help).toContain('env PARLEY_PORT, default 4000');
    expect(help).toContain('env PARLEY_DATA_DIR, default ./.parley-data');
  });
});
