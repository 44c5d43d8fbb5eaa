import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFileFor, writeCredentialsFile } from '../projects/credentials-file.js';
import type { CliIo } from './io.js';
import { main } from './main.js';

interface Captured extends CliIo {
  stdout: () => string;
  stderr: () => string;
}

function fakeIo(env: Record<string, string> = {}, cwd = '/'): Captured {
  let out = '';
  let err = '';
  return {
    out: { write: (t: string) => (out += t) },
    err: { write: (t: string) => (err += t) },
    env,
    cwd,
    waitForSignal: () => new Promise(() => {}),
    stdout: () => out,
    stderr: () => err,
  };
}

describe('parley CLI', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates, lists and rotates projects in the data directory', async () => {
    const create = fakeIo({ PARLEY_DATA_DIR: dataDir });
    expect(await main(['projects', 'create', '--name', 'Acme'], create)).toBe(0);
    const created = JSON.parse(create.stdout()) as Record<string, string>;
    expect(created).toMatchObject({ name: 'Acme', apiKey: expect.stringMatching(/^\d{8}$/) });
    expect(created.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const list = fakeIo();
    expect(await main(['projects', 'list', '--json', '--data-dir', dataDir], list)).toBe(0);
    expect(JSON.parse(list.stdout())).toEqual([
      expect.objectContaining({
        applicationId: created.applicationId,
        apiKey: created.apiKey,
        name: 'Acme',
        status: 'ACTIVE',
      }),
    ]);
    const table = fakeIo({ PARLEY_DATA_DIR: dataDir });
    expect(await main(['projects', 'list'], table)).toBe(0);
    expect(table.stdout()).toMatch(/^APPLICATION ID\s+API KEY\s+STATUS\s+CREATED\s+NAME\n/);
    expect(table.stdout()).toContain(created.apiKey);

    // credentials.json of this project gets the new secret too.
    await writeCredentialsFile(
      dataDir,
      credentialsFileFor(
        {
          applicationId: created.applicationId ?? '',
          apiKey: created.apiKey ?? '',
          apiSecret: created.apiSecret ?? '',
          privateKeyPem: created.privateKey ?? '',
          publicKeyPem: '',
          webhookSecret: created.webhookSecret ?? '',
        },
        { apiKey: '1', apiSecret: '2' },
        'http://127.0.0.1:4000',
      ),
    );
    const rotate = fakeIo({ PARLEY_DATA_DIR: dataDir });
    expect(await main(['projects', 'rotate-secret', created.apiKey ?? ''], rotate)).toBe(0);
    const rotated = JSON.parse(rotate.stdout()) as { apiSecret: string };
    expect(rotated.apiSecret).toMatch(/^[0-9a-f]{40}$/);
    expect(rotated.apiSecret).not.toBe(created.apiSecret);
    const file = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as {
      apiSecret: string;
    };
    expect(file.apiSecret).toBe(rotated.apiSecret);
  });

  it('reports an unknown project with exit code 1', async () => {
    const io = fakeIo({ PARLEY_DATA_DIR: dataDir });
    expect(await main(['projects', 'rotate-secret', '12345678'], io)).toBe(1);
    expect(io.stderr()).toContain('No project has the application ID or API key 12345678');
  });

  it.each([
    [['bogus'], 'Unknown command "bogus"'],
    [['projects', 'delete'], 'Unknown command "projects delete"'],
    [['projects', 'create', '--colour', 'red'], 'Unknown option --colour'],
    [['projects', 'rotate-secret'], 'rotate-secret needs the application ID or API key'],
    [['start', '--port', 'x'], '--port must be an integer'],
  ])('answers %j with a usage error (exit 2)', async (argv, message) => {
    const io = fakeIo({ PARLEY_DATA_DIR: dataDir });
    expect(await main(argv, io)).toBe(2);
    expect(io.stderr()).toContain(message);
  });

  it('prints the error catalogue and the option table as Markdown', async () => {
    const errors = fakeIo();
    expect(await main(['errors'], errors)).toBe(0);
    expect(errors.stdout()).toMatch(/^\| Code \| Status \| Name \| Description \| How to solve \|/);
    expect(errors.stdout()).toContain('| 40101 | 401 | `TOKEN_EXPIRED` |');
    const config = fakeIo();
    expect(await main(['config'], config)).toBe(0);
    expect(config.stdout()).toContain('`PARLEY_DATA_DIR`');
  });
});
