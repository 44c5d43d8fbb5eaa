/**
 * The vitest reporter of a contract run, in the main process: gathers every contract test's metadata
 * and result, builds the operation coverage report, prints it, and writes `coverage.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { buildCoverage, type CoverageReport, formatCoverage, type TestRecord } from '../coverage.js';
import type { OperationSpec } from '../spec/operations.js';
import '../harness/test-meta.js';

/** Options of {@link ContractReporter}. */
export interface ContractReporterOptions {
  operations: readonly OperationSpec[];
  /** Where `coverage.json` goes; null writes nothing. */
  reportDir: string | null;
  /** Whether an operation without a test fails the run (false when only some files run). Default true. */
  requireEveryOperation?: boolean;
  /** Where the summary is printed. Default `process.stdout`. */
  out?: { write(text: string): unknown };
}

/** Builds the coverage report at the end of the run. */
export class ContractReporter implements Reporter {
  readonly #options: ContractReporterOptions;
  /** The report, once the run has ended. */
  coverage: CoverageReport | null = null;
  /** Every contract test's record, once the run has ended. */
  tests: TestRecord[] = [];

  constructor(options: ContractReporterOptions) {
    this.#options = options;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    this.tests = collectTests(testModules);
    this.coverage = buildCoverage(this.#options.operations, this.tests, {
      requireEveryOperation: this.#options.requireEveryOperation ?? true,
    });
    (this.#options.out ?? process.stdout).write(formatCoverage(this.coverage));
    if (this.#options.reportDir) {
      mkdirSync(this.#options.reportDir, { recursive: true });
      writeFileSync(
        join(this.#options.reportDir, 'coverage.json'),
        `${JSON.stringify({ ...this.coverage, tests: this.tests }, null, 2)}\n`,
      );
    }
  }
}

/** The contract tests of a run with their states. Tests without contract metadata are ignored. */
export function collectTests(testModules: ReadonlyArray<TestModule>): TestRecord[] {
  const records: TestRecord[] = [];
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      const meta = test.meta().parleyContract;
      if (!meta) continue;
      const result = test.result();
      const note =
        result.state === 'skipped'
          ? result.note
          : result.state === 'failed'
            ? result.errors?.[0]?.message
            : undefined;
      records.push({ fullName: test.fullName, state: result.state, ...(note ? { note } : {}), meta });
    }
  }
  return records;
}
