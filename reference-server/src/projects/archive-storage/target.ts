/**
 * A project's archive upload target: from the validated `setArchiveStorage` body to the stored record
 * (secret sealed), to the API view (secret left out), and back to a usable target for uploads.
 *
 * The recording feature uploads a finished archive with:
 *
 * ```ts
 * const target = openArchiveStorage(project.archiveStorage, project.applicationId, secrets);
 * const result = await putArchiveFile(target, `${project.apiKey}/${archive.id}/archive.mp4`, bytes, 'video/mp4');
 * ```
 */
import type { ArchiveStorageTarget } from '../../store/types.js';
import type { SecretBox } from '../secret-box.js';
import { type AzureTarget, azurePutBlob } from './azure.js';
import type { FetchLike, PutResult } from './http.js';
import { DEFAULT_S3_ENDPOINT, type S3Target, s3PutObject } from './s3.js';

/** The validated body of `setArchiveStorage` (the spec's `ArchiveStorageParams`). */
export type ArchiveStorageParams =
  | { type: 's3'; config: S3Target; fallback?: 'none' | 'opentok' }
  | { type: 'azure'; config: AzureTarget; fallback?: 'none' | 'opentok' };

/** A target with its secret in clear: only ever in memory, for the test write and uploads. */
export type OpenArchiveStorage =
  | { type: 's3'; config: S3Target; fallback: 'none' | 'opentok' }
  | { type: 'azure'; config: AzureTarget; fallback: 'none' | 'opentok' };

/** The API view of a stored target (the spec's `ArchiveStorage`): no secrets. */
export interface ArchiveStorageView {
  type: 's3' | 'azure';
  config: Record<string, string>;
  fallback: 'none' | 'opentok';
  updatedAt: number;
}

/** How uploads reach the target: the fetch to use, a timeout, an Azure endpoint override (tests). */
export interface ArchiveStorageClientOptions {
  fetch?: FetchLike;
  now?: () => number;
  timeoutMs?: number;
  azureEndpointFor?: (target: AzureTarget) => string;
}

/** The config field that holds the secret, per target type. */
export const SECRET_FIELD = { s3: 'secretKey', azure: 'accountKey' } as const;

/** The object the test write creates, under the project's API key like the archives themselves. */
export const TEST_OBJECT_NAME = 'parley-storage-test.txt';

const sealContext = (applicationId: string, type: 's3' | 'azure'): string =>
  `archiveStorage:${applicationId}:${SECRET_FIELD[type]}`;

/** Keeps the fields the spec defines for the type (a body may carry others) and applies the defaults. */
export function normaliseArchiveStorage(params: ArchiveStorageParams): OpenArchiveStorage {
  const fallback = params.fallback ?? 'opentok';
  if (params.type === 's3') {
    const { accessKey, secretKey, bucket, endpoint, sse } = params.config;
    return {
      type: 's3',
      config: {
        accessKey,
        secretKey,
        bucket,
        endpoint: (endpoint ?? DEFAULT_S3_ENDPOINT).replace(/\/+$/, ''),
        sse: sse ?? 'none',
      },
      fallback,
    };
  }
  const { accountName, accountKey, container, domain } = params.config;
  return {
    type: 'azure',
    config: { accountName, accountKey, container, ...(domain === undefined ? {} : { domain }) },
    fallback,
  };
}

/** The stored form: the secret sealed for this project. */
export function sealArchiveStorage(
  target: OpenArchiveStorage,
  applicationId: string,
  secrets: SecretBox,
  now: number,
): ArchiveStorageTarget {
  const field = SECRET_FIELD[target.type];
  const config: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.config)) {
    if (typeof value === 'string') config[name] = value;
  }
  config[field] = secrets.seal(config[field] ?? '', sealContext(applicationId, target.type));
  return { type: target.type, config, fallback: target.fallback, updatedAt: now };
}

/** The stored target with its secret opened. Throws `SecretBoxError` when the key does not fit. */
export function openArchiveStorage(
  stored: ArchiveStorageTarget,
  applicationId: string,
  secrets: SecretBox,
): OpenArchiveStorage {
  const config = { ...stored.config };
  const field = SECRET_FIELD[stored.type];
  config[field] = secrets.open(config[field] ?? '', sealContext(applicationId, stored.type));
  return stored.type === 's3'
    ? { type: 's3', config: config as unknown as S3Target, fallback: stored.fallback }
    : { type: 'azure', config: config as unknown as AzureTarget, fallback: stored.fallback };
}

/** The API view: everything but the secret. */
export function archiveStorageView(stored: ArchiveStorageTarget): ArchiveStorageView {
  const { [SECRET_FIELD[stored.type]]: _secret, ...config } = stored.config;
  return { type: stored.type, config, fallback: stored.fallback, updatedAt: stored.updatedAt };
}

/** `s3 bucket <name>` or `azure container <name>`, for messages. */
export function describeArchiveStorage(target: OpenArchiveStorage | ArchiveStorageTarget): string {
  return target.type === 's3'
    ? `s3 bucket ${target.config.bucket}`
    : `azure container ${target.config.container}`;
}

/** Uploads one file (`key` is the object or blob name) to the target. */
export function putArchiveFile(
  target: OpenArchiveStorage,
  key: string,
  body: Uint8Array,
  contentType: string,
  client: ArchiveStorageClientOptions = {},
): Promise<PutResult> {
  const common = { body, contentType, fetch: client.fetch, now: client.now, timeoutMs: client.timeoutMs };
  return target.type === 's3'
    ? s3PutObject(target.config, { ...common, key })
    : azurePutBlob(target.config, { ...common, blobName: key, endpointFor: client.azureEndpointFor });
}

/** The test write of `setArchiveStorage`: a small text object at `<apiKey>/parley-storage-test.txt`. */
export function testArchiveStorage(
  target: OpenArchiveStorage,
  apiKey: string,
  client: ArchiveStorageClientOptions = {},
): Promise<PutResult> {
  const body = Buffer.from(
    'Parley checks that it can write archives here. This file can be deleted.\n',
    'utf8',
  );
  return putArchiveFile(target, `${apiKey}/${TEST_OBJECT_NAME}`, body, 'text/plain; charset=utf-8', client);
}
