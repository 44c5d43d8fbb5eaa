/**
 * The contract suite against Parley's reference server, in-process (`buildApp` + `listen` on 127.0.0.1,
 * port 0) but over real HTTP, with the reference server's declared skips. The run must pass and its
 * coverage report must list every operation of the spec with a test.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@parley/reference-server/src/app.js';
import { loadSpec } from '@parley/reference-server/src/http/spec/document.js';
import { generateAccountCredentials } from '@parley/reference-server/src/projects/credentials.js';
import { createProject } from '@parley/reference-server/src/projects/projects.js';
import { createMemoryStore } from '@parley/reference-server/src/store/memory-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractCredentials } from './auth/credentials.js';
import { REFERENCE_SERVER_SKIPS } from './skips.js';
import { defaultSpecPath, loadContractSpec } from './spec.js';
import { runContractSuite } from './suite.js';

const specFile = process.env.PARLEY_CONTRACT_SPEC_FILE || defaultSpecPath();

describe('the contract suite against the reference server', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let baseUrl: string;
  let credentials: ContractCredentials;
  let reportDir: string;

  beforeAll(async () => {
    reportDir = await mkdtemp(join(tmpdir(), 'parley-contract-'));
    const store = createMemoryStore();
    const account = generateAccountCredentials();
    const { credentials: project } = await createProject(store, { account, name: 'Contract run' });
    // The server and the suite read the same bundled spec.
    app = await buildApp({ store, account, spec: loadSpec(specFile), rateLimit: null });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    credentials = {
      applicationId: project.applicationId,
      privateKey: project.privateKeyPem,
      apiKey: project.apiKey,
      apiSecret: project.apiSecret,
      accountKey: account.apiKey,
      accountSecret: account.apiSecret,
    };
  });

  afterAll(async () => {
    await app?.close();
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it('passes, with a test for every operation and only declared skips', { timeout: 300_000 }, async () => {
    const result = await runContractSuite({
      target: { baseUrl },
      credentials,
      skip: REFERENCE_SERVER_SKIPS,
      specFile,
      reportDir,
      print: false,
    });
    const failed = result.tests
      .filter((t) => t.state === 'failed')
      .map((t) => `${t.fullName}: ${t.note ?? ''}`);
    expect(result.errors).toEqual([]);
    expect(failed).toEqual([]);
    expect(result.coverage.problems).toEqual([]);

    const spec = loadContractSpec(specFile);
    expect(result.coverage.operations.map((o) => o.operationId).sort()).toEqual(
      spec.operations.map((o) => o.operationId).sort(),
    );
    for (const line of result.coverage.operations) {
      if (line.state === 'skipped') expect(line.reasons.length).toBeGreaterThan(0);
    }
    expect(result.coverage.totals.exercised).toBeGreaterThan(0);
    expect(result.ok).toBe(true);

    const written = JSON.parse(await readFile(join(reportDir, 'coverage.json'), 'utf8')) as {
      operations: unknown[];
    };
    expect(written.operations).toHaveLength(spec.operations.length);
    expect(await readFile(join(reportDir, 'junit.xml'), 'utf8')).toContain('<testsuites');
  });
});
