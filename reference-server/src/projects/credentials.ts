/**
 * Credential generation for projects and the account: application IDs, numeric API keys, API secrets,
 * webhook signing secrets and RSA key pairs, in the formats the official Vonage and OpenTok SDKs expect.
 */
import { generateKeyPair, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { ProjectRecord } from '../store/types.js';
import { newWebhookSecret } from '../webhooks/signing.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Everything a project owner needs to call the API, including the private key the server never stores. */
export interface ProjectCredentials {
  applicationId: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form the `opentok` SDK recognises as a Vonage key. */
  privateKeyPem: string;
  /** SPKI PEM, registered on the project. */
  publicKeyPem: string;
  apiKey: string;
  apiSecret: string;
  webhookSecret: string;
}

/** The account-level key and secret that sign `ist: "account"` JWTs for project management. */
export interface AccountCredentials {
  /** A 10-digit number, so it can never equal an 8-digit project API key. */
  apiKey: string;
  apiSecret: string;
}

/** A numeric API key of 8 digits without a leading zero, like OpenTok's (`47123456`). */
export function generateApiKey(): string {
  return String(randomInt(10_000_000, 100_000_000));
}

/** A 40-character lowercase hex secret, like OpenTok's API secrets. */
export function generateApiSecret(): string {
  return randomBytes(20).toString('hex');
}

/** Generates an RSA 2048 key pair as PEM strings (PKCS#8 private, SPKI public). */
export async function generateRsaKeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** Fresh credentials for a new project. */
export async function generateProjectCredentials(): Promise<ProjectCredentials> {
  const { privateKeyPem, publicKeyPem } = await generateRsaKeyPair();
  return {
    applicationId: randomUUID(),
    privateKeyPem,
    publicKeyPem,
    apiKey: generateApiKey(),
    apiSecret: generateApiSecret(),
    webhookSecret: newWebhookSecret(),
  };
}

/** Fresh account credentials. */
export function generateAccountCredentials(): AccountCredentials {
  return { apiKey: String(randomInt(1_000_000_000, 10_000_000_000)), apiSecret: generateApiSecret() };
}

/** The stored record of a new, active project with no callbacks and no archive storage. */
export function newProjectRecord(credentials: ProjectCredentials, name: string, now: number): ProjectRecord {
  return {
    applicationId: credentials.applicationId,
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret,
    publicKeyPem: credentials.publicKeyPem,
    webhookSecret: credentials.webhookSecret,
    name,
    status: 'ACTIVE',
    callbackUrls: {},
    archiveStorage: null,
    createdAt: now,
    updatedAt: now,
  };
}
