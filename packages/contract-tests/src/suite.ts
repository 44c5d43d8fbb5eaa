/**
 * `runContractSuite()`: runs the contract files (`src/resources/*.contract.ts`) under vitest against one
 * target and returns the verdict with the operation coverage report. The target and credentials reach
 * the test workers through vitest's `provide`; the transport is real HTTP, so the same run works against
 * Parley's reference server, a fork, or Vonage's cloud.
 *
 * @example
 * ```ts
 * const result = await runContractSuite({
 *   target: { baseUrl: 'http://127.0.0.1:4000' },
 *   credentials: { applicationId, privateKey, accountKey, accountSecret },
 *   skip: REFERENCE_SERVER_SKIPS,
 * });
 * if (!result.ok) process.exitCode = 1;
 * ```
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';
import { type ContractCredentials, validateCredentials } from './auth/credentials.js';
import type { CoverageReport, TestRecord } from './coverage.js';
import { RUN_CONFIG_KEY, type RunConfig } from './harness/run-config.js';
import { ContractReporter } from './report/contract-reporter.js';
import { CAPABILITIES, type Capability, credentialSkips, type SkipEntry, validateSkips } from './skips.js';
import { defaultSpecPath, loadContractSpec } from './spec.js';

/** Where the run sends its requests. */
export interface ContractTarget {
  /** The target's base URL, e.g. `http://127.0.0.1:4000` or `https://video.api.vonage.com`. */
  baseUrl: string;
}

/** Options of {@link runContractSuite}. */
export interface ContractSuiteOptions {
  target: ContractTarget;
  credentials: ContractCredentials;
  /** The declared skips, e.g. {@link REFERENCE_SERVER_SKIPS}. Default: none. */
  skip?: readonly SkipEntry[];
  /** The bundled spec. Default `$PARLEY_CONTRACT_SPEC_FILE`, else `@parley/openapi/parley.json`. */
  specFile?: string;
  /** Where `junit.xml`, `results.json` and `coverage.json` go; null writes none. Default `./contract-report`. */
  reportDir?: string | null;
  /**
   * Only contract files whose path contains one of these strings (e.g. `archives`). Default: all. With a
   * filter, operations without a test are reported but do not fail the run.
   */
  files?: readonly string[];
  /** Per-request timeout in ms. Default 15 000. */
  requestTimeoutMs?: number;
  /** The host the suite's webhook receiver binds to and advertises. Default `127.0.0.1`. */
  receiverHost?: string;
  /** Print vitest's per-test output and the coverage summary. Default true. */
  print?: boolean;
}

/** The verdict of a run. */
export interface ContractSuiteResult {
  /** True when every test passed or was skipped and every operation has a test. */
  ok: boolean;
  coverage: CoverageReport;
  tests: TestRecord[];
  counts: { passed: number; failed: number; skipped: number };
  /** Errors outside tests (a contract file that failed to load, …). */
  errors: string[];
  /** Absolute path of the report directory, or null. */
  reportDir: string | null;
}

/** The package root, where the contract files live. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the contract suite against a target. Throws only for bad options, never for failing tests. */
export async function runContractSuite(options: ContractSuiteOptions): Promise<ContractSuiteResult> {
  validateCredentials(options.credentials);
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.target.baseUrl);
  } catch {
    throw new TypeError(`target.baseUrl must be an absolute URL, got "${options.target.baseUrl}"`);
  }
  const specFile = resolve(options.specFile ?? (process.env.PARLEY_CONTRACT_SPEC_FILE || defaultSpecPath()));
  const spec = loadContractSpec(specFile);
  const skips = [...(options.skip ?? []), ...credentialSkips(options.credentials)];
  validateSkips(skips, new Set(spec.operations.map((o) => o.operationId)));
  const reportDir = options.reportDir === null ? null : resolve(options.reportDir ?? 'contract-report');
  const print = options.print ?? true;

  const config: RunConfig = {
    baseUrl: baseUrl.toString().replace(/\/+$/, ''),
    credentials: options.credentials,
    skips,
    specFile,
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    receiverHost: options.receiverHost ?? '127.0.0.1',
    capabilities: [...CAPABILITIES] as Capability[],
  };
  const contractReporter = new ContractReporter({
    operations: spec.operations,
    reportDir,
    requireEveryOperation: (options.files ?? []).length === 0,
    out: print ? process.stdout : { write: () => true },
  });
  const reporters: unknown[] = [contractReporter];
  if (print) reporters.unshift('default');
  const outputFile: Record<string, string> = {};
  if (reportDir) {
    reporters.push('junit', 'json');
    outputFile.junit = join(reportDir, 'junit.xml');
    outputFile.json = join(reportDir, 'results.json');
  }

  // vitest sets process.exitCode when tests fail; the verdict is returned instead, so restore it.
  const exitCode = process.exitCode;
  const vitest = await startVitest(
    [...(options.files ?? [])],
    {
      root: PACKAGE_ROOT,
      config: false,
      watch: false,
      include: ['src/resources/**/*.contract.ts'],
      // Files run one at a time: lists and pagination must not see another file's resources appear.
      fileParallelism: false,
      passWithNoTests: false,
      provide: { [RUN_CONFIG_KEY]: config },
      // biome-ignore lint/suspicious/noExplicitAny: vitest types reporters as a union of tuples and instances.
      reporters: reporters as any,
      outputFile,
    },
    {},
    {},
  );
  await vitest.close();
  process.exitCode = exitCode;

  const coverage = contractReporter.coverage;
  if (!coverage) throw new Error('The contract run ended without a report (did any contract file load?)');
  const tests = contractReporter.tests;
  const counts = {
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    skipped: tests.filter((t) => t.state === 'skipped').length,
  };
  const errors = vitest.state
    .getUnhandledErrors()
    .map((e) => String((e as { message?: unknown })?.message ?? e));
  for (const file of vitest.state.getFiles()) {
    if (file.result?.state === 'fail' && file.result.errors?.length) {
      errors.push(...file.result.errors.map((e) => `${file.filepath}: ${e.message}`));
    }
  }
  return {
    ok: counts.failed === 0 && errors.length === 0 && coverage.ok,
    coverage,
    tests,
    counts,
    errors,
    reportDir,
  };
}
