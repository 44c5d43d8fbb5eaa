/**
 * Test support (not a test file): an app on a memory store with one project, and helpers that mint the
 * REST JWTs the official SDKs send, so tests can also forge the attacks those SDKs never would.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type JWTPayload, SignJWT } from 'jose';
import { type AppOptions, buildApp } from '../app.js';
import { loadSpec, type OpenApiDocument } from '../http/spec/document.js';
import type { AccountCredentials, ProjectCredentials } from '../projects/credentials.js';
import { createProject } from '../projects/projects.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ProjectRecord, Store } from '../store/types.js';

let cachedSpec: OpenApiDocument | undefined;
/** The bundled spec, loaded once per test file. */
export function spec(): OpenApiDocument {
  cachedSpec ??= loadSpec();
  return cachedSpec;
}

/** A fixed account for tests. */
export const TEST_ACCOUNT: AccountCredentials = { apiKey: '1000000001', apiSecret: 'a'.repeat(40) };

/** An app with one project, and the means to call it. */
export interface Harness {
  app: FastifyInstance;
  store: Store;
  account: AccountCredentials;
  project: ProjectRecord;
  credentials: ProjectCredentials;
  /** Creates another project in the same store. */
  addProject(name?: string): Promise<{ project: ProjectRecord; credentials: ProjectCredentials }>;
  close(): Promise<void>;
}

/** Builds a harness. Rate limiting is off unless `options.rateLimit` is given. */
export async function createHarness(options: Partial<AppOptions> = {}): Promise<Harness> {
  const store = options.store ?? createMemoryStore({ now: options.now });
  const account = options.account ?? TEST_ACCOUNT;
  const { project, credentials } = await createProject(store, { name: 'Test project', account });
  const app = await buildApp({ spec: spec(), rateLimit: null, ...options, store, account });
  await app.ready();
  return {
    app,
    store,
    account,
    project,
    credentials,
    addProject: (name = 'Other project') => createProject(store, { name, account }),
    close: () => app.close(),
  };
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** Claims that override or (with `undefined`) remove the defaults. */
export type ClaimOverrides = Record<string, unknown>;

function applyOverrides(base: JWTPayload, overrides: ClaimOverrides): JWTPayload {
  const claims: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete claims[key];
    else claims[key] = value;
  }
  return claims as JWTPayload;
}

/** A Bearer JWT as `@vonage/video` mints it (RS256, application_id, iat, exp = iat + 900, jti). */
export async function bearerJwt(
  credentials: Pick<ProjectCredentials, 'applicationId' | 'privateKeyPem'>,
  overrides: ClaimOverrides = {},
  now: number = Date.now(),
): Promise<string> {
  const iat = seconds(now);
  const claims = applyOverrides(
    { application_id: credentials.applicationId, iat, exp: iat + 900, jti: randomUUID() },
    overrides,
  );
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .sign(createPrivateKey(credentials.privateKeyPem));
}

/** An `X-OPENTOK-AUTH` JWT as the `opentok` SDK mints it (HS256, iss, ist: project, iat, exp = iat + 300). */
export async function opentokJwt(
  project: Pick<ProjectRecord, 'apiKey' | 'apiSecret'>,
  overrides: ClaimOverrides = {},
  now: number = Date.now(),
  header: Record<string, unknown> = {},
): Promise<string> {
  const iat = seconds(now);
  const claims = applyOverrides({ iss: project.apiKey, ist: 'project', iat, exp: iat + 300 }, overrides);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(new TextEncoder().encode(project.apiSecret));
}

/** An account-level `X-OPENTOK-AUTH` JWT (HS256 with the account secret, `ist: "account"`). */
export async function accountJwt(
  account: AccountCredentials,
  overrides: ClaimOverrides = {},
  now: number = Date.now(),
): Promise<string> {
  return opentokJwt(
    { apiKey: account.apiKey, apiSecret: account.apiSecret },
    { ist: 'account', ...overrides },
    now,
  );
}

/** Headers of a project-authenticated request with a fresh `X-OPENTOK-AUTH` JWT. */
export async function projectAuth(
  project: Pick<ProjectRecord, 'apiKey' | 'apiSecret'>,
): Promise<Record<string, string>> {
  return { 'x-opentok-auth': await opentokJwt(project) };
}

/** Headers of an account-authenticated request. */
export async function accountAuth(account: AccountCredentials): Promise<Record<string, string>> {
  return { 'x-opentok-auth': await accountJwt(account) };
}

/** The parsed JSON body of an inject response. */
export function json<T = Record<string, unknown>>(response: { body: string }): T {
  return JSON.parse(response.body) as T;
}
