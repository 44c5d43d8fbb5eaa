import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_SERVER_SKIPS } from '../skips.js';
import { CliUsageError, helpText, parseCli } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'contract-cli-'));
const PEM = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
writeFileSync(join(dir, 'key.pem'), PEM);
writeFileSync(
  join(dir, 'credentials.json'),
  JSON.stringify({
    apiUrl: 'http://127.0.0.1:4000',
    applicationId: 'app',
    privateKey: PEM,
    apiKey: '47123456',
    apiSecret: 's',
    accountKey: 'ak',
    accountSecret: 'as',
    webhookSecret: 'whsec_x',
  }),
);
writeFileSync(join(dir, 'skips.json'), JSON.stringify([{ tests: ['flaky'], reason: 'known issue' }]));

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parseCli(argv, env, dir);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command.options;
};

describe('parseCli', () => {
  it('reads flags, with a private key from a file', () => {
    const options = run([
      '--base-url',
      'https://video.api.vonage.com',
      '--application-id',
      'app',
      '--private-key',
      'key.pem',
      '--file',
      'sessions',
      '--file=archives',
    ]);
    expect(options.target.baseUrl).toBe('https://video.api.vonage.com');
    expect(options.credentials).toEqual({ applicationId: 'app', privateKey: PEM });
    expect(options.files).toEqual(['sessions', 'archives']);
    expect(options.skip).toEqual([]);
  });

  it('falls back to environment variables, with PEM text whose newlines are escaped', () => {
    const options = run([], {
      PARLEY_CONTRACT_BASE_URL: 'http://h:1',
      PARLEY_CONTRACT_API_KEY: '47123456',
      PARLEY_CONTRACT_API_SECRET: 'secret',
      PARLEY_CONTRACT_PRIVATE_KEY: PEM.replace(/\n/g, '\\n'),
      PARLEY_CONTRACT_APPLICATION_ID: 'app',
      PARLEY_CONTRACT_TIMEOUT_MS: '5000',
      PARLEY_CONTRACT_FILES: 'a,b',
    });
    expect(options.credentials).toMatchObject({ apiKey: '47123456', apiSecret: 'secret', privateKey: PEM });
    expect(options.requestTimeoutMs).toBe(5000);
    expect(options.files).toEqual(['a', 'b']);
  });

  it('reads a credentials file, which flags override, plus a preset and a skip file', () => {
    const options = run([
      '--credentials-file',
      'credentials.json',
      '--api-secret',
      'override',
      '--preset',
      'reference-server',
      '--skip-file',
      'skips.json',
      '--report-dir',
      'out',
    ]);
    expect(options.target.baseUrl).toBe('http://127.0.0.1:4000');
    expect(options.credentials).toMatchObject({
      applicationId: 'app',
      apiSecret: 'override',
      accountKey: 'ak',
      webhookSecret: 'whsec_x',
    });
    expect(options.skip).toEqual([...REFERENCE_SERVER_SKIPS, { tests: ['flaky'], reason: 'known issue' }]);
    expect(options.reportDir).toBe(join(dir, 'out'));
  });

  it('explains bad usage', () => {
    expect(() => run([])).toThrow('--base-url (or PARLEY_CONTRACT_BASE_URL) is required');
    expect(() => run(['--bogus', 'x'])).toThrow('unknown option --bogus');
    expect(() => run(['--base-url'])).toThrow('--base-url needs a value');
    expect(() => run(['--base-url', 'a', '--base-url', 'b'])).toThrow('--base-url is given twice');
    expect(() => run(['--base-url', 'a', '--preset', 'mars'])).toThrow(
      /--preset must be one of reference-server, vonage, none/,
    );
    expect(() => run(['--base-url', 'a', '--timeout-ms', 'soon'])).toThrow('--timeout-ms must be an integer');
    expect(() => run(['--base-url', 'a', '--private-key', 'missing.pem'])).toThrow(
      /neither PEM text nor an existing file/,
    );
    expect(() => run(['--base-url', 'a', '--skip-file', 'credentials.json'])).toThrow(
      /must hold a JSON array/,
    );
    expect(() => run(['positional'])).toThrow(CliUsageError);
  });

  it('prints help generated from the option list', () => {
    expect(parseCli(['--help'], {}, dir)).toEqual({ kind: 'help' });
    expect(helpText()).toContain('--credentials-file');
    expect(helpText()).toContain('PARLEY_CONTRACT_SKIP_FILE');
  });
});
