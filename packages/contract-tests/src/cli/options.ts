/**
 * The `parley-contract-tests` command line: flags, then environment variables, then a credentials file.
 * Every option is declared once in {@link CLI_OPTIONS}; `--help` is generated from that list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ContractCredentials } from '../auth/credentials.js';
import { isPresetName, PRESETS } from '../presets.js';
import type { SkipEntry } from '../skips.js';
import type { ContractSuiteOptions } from '../suite.js';

/** A bad flag, environment variable or file; the message names it. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** One option of the command. */
export interface CliOption {
  flag: string;
  env: string;
  description: string;
  /** True for options that may be given more than once (flags only). */
  repeatable?: boolean;
}

/** Every option, in the order `--help` lists them. */
export const CLI_OPTIONS: readonly CliOption[] = [
  {
    flag: 'base-url',
    env: 'PARLEY_CONTRACT_BASE_URL',
    description:
      'The target, e.g. http://127.0.0.1:4000 or https://video.api.vonage.com (required unless the credentials file has apiUrl).',
  },
  {
    flag: 'application-id',
    env: 'PARLEY_CONTRACT_APPLICATION_ID',
    description: 'Application UUID (Vonage-style Bearer JWTs).',
  },
  {
    flag: 'private-key',
    env: 'PARLEY_CONTRACT_PRIVATE_KEY',
    description: 'The application private key: PEM text or a path to a PEM file.',
  },
  {
    flag: 'api-key',
    env: 'PARLEY_CONTRACT_API_KEY',
    description: 'Numeric project API key (legacy X-OPENTOK-AUTH JWTs).',
  },
  { flag: 'api-secret', env: 'PARLEY_CONTRACT_API_SECRET', description: 'Project API secret.' },
  {
    flag: 'account-key',
    env: 'PARLEY_CONTRACT_ACCOUNT_KEY',
    description: 'Account key, for project management (optional).',
  },
  { flag: 'account-secret', env: 'PARLEY_CONTRACT_ACCOUNT_SECRET', description: 'Account secret.' },
  {
    flag: 'webhook-secret',
    env: 'PARLEY_CONTRACT_WEBHOOK_SECRET',
    description: 'Project webhook secret (whsec_…); webhook signatures are verified when given.',
  },
  {
    flag: 'credentials-file',
    env: 'PARLEY_CONTRACT_CREDENTIALS_FILE',
    description:
      'A Parley credentials.json (the reference server writes one in its data directory); flags and variables override its fields.',
  },
  {
    flag: 'preset',
    env: 'PARLEY_CONTRACT_PRESET',
    description: `Skip preset: ${Object.keys(PRESETS).join(', ')} (default none).`,
  },
  {
    flag: 'skip-file',
    env: 'PARLEY_CONTRACT_SKIP_FILE',
    description: 'A JSON file with more skips: [{"operationIds"|"tests"|"capability": …, "reason": "…"}].',
  },
  {
    flag: 'report-dir',
    env: 'PARLEY_CONTRACT_REPORT_DIR',
    description: 'Where junit.xml, results.json and coverage.json go (default ./contract-report).',
  },
  {
    flag: 'spec',
    env: 'PARLEY_CONTRACT_SPEC_FILE',
    description: 'The bundled OpenAPI document (default @parley/openapi/parley.json).',
  },
  {
    flag: 'receiver-host',
    env: 'PARLEY_CONTRACT_RECEIVER_HOST',
    description: 'Host the webhook receiver binds to and advertises (default 127.0.0.1).',
  },
  {
    flag: 'timeout-ms',
    env: 'PARLEY_CONTRACT_TIMEOUT_MS',
    description: 'Per-request timeout in ms (default 15000).',
  },
  {
    flag: 'file',
    env: 'PARLEY_CONTRACT_FILES',
    description:
      'Run only contract files whose path contains this text (repeatable; comma-separated in the variable).',
    repeatable: true,
  },
];

/** The parsed command: run the suite, or print help. */
export type CliCommand = { kind: 'help' } | { kind: 'run'; options: ContractSuiteOptions };

/** Parses arguments (without `node` and the script) and the environment. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliCommand {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) throw new CliUsageError(`unexpected argument "${arg}"; options start with --`);
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    const option = CLI_OPTIONS.find((o) => o.flag === name);
    if (!option) throw new CliUsageError(`unknown option --${name}; see --help`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new CliUsageError(`--${name} needs a value`);
    if (values.has(name) && !option.repeatable) throw new CliUsageError(`--${name} is given twice`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const get = (flag: string): string | undefined => {
    const option = CLI_OPTIONS.find((o) => o.flag === flag) as CliOption;
    const fromFlag = values.get(flag)?.[0];
    if (fromFlag !== undefined) return fromFlag;
    const fromEnv = env[option.env];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const path = (value: string): string => resolve(cwd, value);

  const file = get('credentials-file');
  const fromFile: { credentials: ContractCredentials; apiUrl?: string } = file
    ? readCredentialsFile(path(file))
    : { credentials: {} };
  const privateKey = get('private-key');
  const credentials: ContractCredentials = {
    ...fromFile.credentials,
    ...defined({
      applicationId: get('application-id'),
      privateKey: privateKey === undefined ? undefined : readPem(privateKey, cwd),
      apiKey: get('api-key'),
      apiSecret: get('api-secret'),
      accountKey: get('account-key'),
      accountSecret: get('account-secret'),
      webhookSecret: get('webhook-secret'),
    }),
  };
  const baseUrl = get('base-url') ?? fromFile.apiUrl;
  if (!baseUrl) throw new CliUsageError('--base-url (or PARLEY_CONTRACT_BASE_URL) is required');

  const presetName = get('preset') ?? 'none';
  if (!isPresetName(presetName))
    throw new CliUsageError(
      `--preset must be one of ${Object.keys(PRESETS).join(', ')}, got "${presetName}"`,
    );
  const skipFile = get('skip-file');
  const skip = [...PRESETS[presetName], ...(skipFile ? readSkipFile(path(skipFile)) : [])];

  const timeout = get('timeout-ms');
  let requestTimeoutMs: number | undefined;
  if (timeout !== undefined) {
    requestTimeoutMs = Number(timeout);
    if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 100) {
      throw new CliUsageError(`--timeout-ms must be an integer of at least 100, got "${timeout}"`);
    }
  }
  const files = values.get('file') ?? env.PARLEY_CONTRACT_FILES?.split(',').filter(Boolean) ?? [];
  const reportDir = get('report-dir');
  const spec = get('spec');
  const receiverHost = get('receiver-host');
  return {
    kind: 'run',
    options: {
      target: { baseUrl },
      credentials,
      skip,
      ...(reportDir ? { reportDir: path(reportDir) } : {}),
      ...(spec ? { specFile: path(spec) } : {}),
      ...(receiverHost ? { receiverHost } : {}),
      ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
      ...(files.length > 0 ? { files } : {}),
    },
  };
}

/** The help text, generated from {@link CLI_OPTIONS}. */
export function helpText(): string {
  const lines = [
    'Usage: parley-contract-tests --base-url <url> [credentials] [options]',
    '',
    'Runs the Parley contract suite against a Vonage Video API compatible target and writes a JUnit, JSON',
    'and operation-coverage report. Exits 0 when the target honours the spec, 1 when it does not, 2 on bad usage.',
    '',
    'Options (each also read from its environment variable):',
  ];
  for (const option of CLI_OPTIONS) {
    lines.push(`  --${option.flag.padEnd(18)} ${option.env}`, `      ${option.description}`);
  }
  return `${lines.join('\n')}\n`;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** PEM text as given, or the content of the file it names. */
function readPem(value: string, cwd: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  const file = resolve(cwd, value);
  if (!existsSync(file))
    throw new CliUsageError(`--private-key is neither PEM text nor an existing file: ${file}`);
  return readFileSync(file, 'utf8');
}

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new CliUsageError(`${what} ${file} does not exist`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    throw new CliUsageError(`${what} ${file} is not valid JSON`);
  }
}

function readCredentialsFile(file: string): { credentials: ContractCredentials; apiUrl?: string } {
  const data = readJson(file, '--credentials-file');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CliUsageError(`--credentials-file ${file} must hold a JSON object`);
  }
  const record = data as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof record[key] === 'string' ? (record[key] as string) : undefined;
  return {
    credentials: defined({
      applicationId: text('applicationId'),
      privateKey: text('privateKey'),
      apiKey: text('apiKey'),
      apiSecret: text('apiSecret'),
      accountKey: text('accountKey'),
      accountSecret: text('accountSecret'),
      webhookSecret: text('webhookSecret'),
    }),
    ...(text('apiUrl') ? { apiUrl: text('apiUrl') as string } : {}),
  };
}

function readSkipFile(file: string): SkipEntry[] {
  const data = readJson(file, '--skip-file');
  if (!Array.isArray(data)) throw new CliUsageError(`--skip-file ${file} must hold a JSON array of skips`);
  return data as SkipEntry[];
}
