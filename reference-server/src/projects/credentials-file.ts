/**
 * The files in the data directory that hold secrets: `account.json` (the account key and secret the server
 * verifies account-level JWTs with) and `credentials.json` (everything a developer needs to call the
 * server, written on first start). Both are written atomically with mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AccountCredentials,
  generateAccountCredentials,
  type ProjectCredentials,
} from './credentials.js';

/** The file name of the developer credentials in the data directory. */
export const CREDENTIALS_FILE = 'credentials.json';
/** The file name of the account credentials in the data directory. */
export const ACCOUNT_FILE = 'account.json';

/** The content of `credentials.json`. Field names follow the SDK constructor options they feed. */
export interface CredentialsFile {
  /** The base URL to pass as `apiUrl` (opentok) or `videoHost` (@vonage/video). */
  apiUrl: string;
  applicationId: string;
  /** PKCS#8 PEM private key of the application. */
  privateKey: string;
  apiKey: string;
  apiSecret: string;
  webhookSecret: string;
  accountKey: string;
  accountSecret: string;
}

/** Builds the credentials file content for a project. */
export function credentialsFileFor(
  credentials: ProjectCredentials,
  account: AccountCredentials,
  apiUrl: string,
): CredentialsFile {
  return {
    apiUrl,
    applicationId: credentials.applicationId,
    privateKey: credentials.privateKeyPem,
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret,
    webhookSecret: credentials.webhookSecret,
    accountKey: account.apiKey,
    accountSecret: account.apiSecret,
  };
}

/** Creates the data directory (mode 0700) if needed. */
export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
}

/** Writes JSON readable only by the owner, atomically (temporary file, then rename). */
export async function writeSecretJson(file: string, data: unknown): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  // The mode option is filtered by the umask; chmod makes 0600 exact.
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

async function readJson(file: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file} is not valid JSON; fix or delete it`, { cause: error });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the account credentials from `<dataDir>/account.json`, creating them on first use.
 */
export async function loadOrCreateAccount(dataDir: string): Promise<AccountCredentials> {
  const file = join(dataDir, ACCOUNT_FILE);
  const existing = await readJson(file);
  if (existing !== null) {
    if (
      !isRecord(existing) ||
      typeof existing.apiKey !== 'string' ||
      typeof existing.apiSecret !== 'string'
    ) {
      throw new Error(`${file} must hold {"apiKey": "...", "apiSecret": "..."}`);
    }
    return { apiKey: existing.apiKey, apiSecret: existing.apiSecret };
  }
  const account = generateAccountCredentials();
  await writeSecretJson(file, account);
  return account;
}

/** Reads `<dataDir>/credentials.json`, or null when it does not exist. */
export async function readCredentialsFile(dataDir: string): Promise<CredentialsFile | null> {
  const file = join(dataDir, CREDENTIALS_FILE);
  const data = await readJson(file);
  if (data === null) return null;
  if (!isRecord(data) || typeof data.applicationId !== 'string' || typeof data.apiKey !== 'string') {
    throw new Error(`${file} is not a Parley credentials file; fix or delete it`);
  }
  return data as unknown as CredentialsFile;
}

/** Writes `<dataDir>/credentials.json` (mode 0600). */
export async function writeCredentialsFile(dataDir: string, data: CredentialsFile): Promise<string> {
  const file = join(dataDir, CREDENTIALS_FILE);
  await writeSecretJson(file, data);
  return file;
}

/**
 * Applies `patch` to an existing `credentials.json` when `matches` accepts its content (e.g. only for the
 * project whose secret was rotated). Returns true when the file was updated.
 */
export async function patchCredentialsFile(
  dataDir: string,
  patch: Partial<CredentialsFile>,
  matches: (current: CredentialsFile) => boolean = () => true,
): Promise<boolean> {
  const current = await readCredentialsFile(dataDir);
  if (!current || !matches(current)) return false;
  const next = { ...current, ...patch };
  if (JSON.stringify(next) === JSON.stringify(current)) return false;
  await writeCredentialsFile(dataDir, next);
  return true;
}
