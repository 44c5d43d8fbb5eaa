/**
 * The operation coverage report: for every operation of the spec, whether a test exercised it, whether
 * that failed, or why it was skipped. An operation no test declares is `untested`, and that fails the run:
 * the suite must grow with the spec.
 */
import type { ContractTestMeta } from './harness/test-meta.js';
import type { OperationSpec } from './spec/operations.js';

/** Where an operation stands after a run. */
export type OperationState = 'exercised' | 'failed' | 'skipped' | 'untested';

/** One test as the coverage report sees it. */
export interface TestRecord {
  fullName: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  /** The skip note or the first error message. */
  note?: string;
  meta: ContractTestMeta;
}

/** One operation's line in the report. */
export interface OperationCoverage {
  operationId: string;
  kind: OperationSpec['kind'];
  method: string;
  path: string;
  state: OperationState;
  /** The skip reasons, for skipped operations. */
  reasons: string[];
  /** The tests that declare the operation. */
  tests: { name: string; state: TestRecord['state']; note?: string }[];
}

/** The whole report. */
export interface CoverageReport {
  operations: OperationCoverage[];
  totals: Record<OperationState, number>;
  /** Every reason the run fails on coverage grounds, one line each. */
  problems: string[];
  ok: boolean;
}

/** Options of {@link buildCoverage}. */
export interface CoverageOptions {
  /**
   * Whether an operation without a test is a problem. True for a full run; false when only some contract
   * files ran, where most operations are untested on purpose.
   */
  requireEveryOperation?: boolean;
}

/** Builds the report from the spec's operations and the run's tests. */
export function buildCoverage(
  operations: readonly OperationSpec[],
  tests: readonly TestRecord[],
  { requireEveryOperation = true }: CoverageOptions = {},
): CoverageReport {
  const problems: string[] = [];
  const known = new Set(operations.map((o) => o.operationId));
  for (const test of tests) {
    for (const id of test.meta.operations) {
      if (!known.has(id)) problems.push(`${test.fullName} declares ${id}, which the spec does not define`);
    }
  }
  const lines = operations.map((operation): OperationCoverage => {
    const declaring = tests.filter((t) => t.meta.operations.includes(operation.operationId));
    const functional = declaring.filter((t) => !t.meta.verifiesSkip);
    const line: OperationCoverage = {
      operationId: operation.operationId,
      kind: operation.kind,
      method: operation.method.toUpperCase(),
      path: operation.path,
      state: 'untested',
      reasons: [],
      tests: declaring.map((t) => ({
        name: t.fullName,
        state: t.state,
        ...(t.note ? { note: t.note } : {}),
      })),
    };
    if (declaring.some((t) => t.state === 'failed')) {
      line.state = 'failed';
    } else if (
      functional.some((t) => t.state === 'passed' && t.meta.called.includes(operation.operationId))
    ) {
      line.state = 'exercised';
    } else if (functional.length > 0 && functional.every((t) => t.state === 'skipped')) {
      line.state = 'skipped';
      line.reasons = [...new Set(functional.map((t) => t.meta.skipReason ?? t.note ?? 'skipped'))];
    }
    if (line.state === 'untested' && (requireEveryOperation || functional.length > 0)) {
      problems.push(
        functional.length === 0
          ? `${operation.operationId} (${line.method} ${line.path}) has no test`
          : `${operation.operationId} is declared by tests that never called it`,
      );
    }
    if (line.state === 'failed') problems.push(`${operation.operationId} failed`);
    return line;
  });
  const totals: Record<OperationState, number> = { exercised: 0, failed: 0, skipped: 0, untested: 0 };
  for (const line of lines) totals[line.state]++;
  return { operations: lines, totals, problems, ok: problems.length === 0 };
}

const MARK: Record<OperationState, string> = { exercised: '✓', failed: '✗', skipped: '↓', untested: '?' };

/** A readable summary: one line per operation, skips with their reasons, then the totals. */
export function formatCoverage(report: CoverageReport): string {
  const width = Math.max(...report.operations.map((o) => o.operationId.length), 10);
  const lines = ['', 'Operation coverage', ''];
  for (const op of report.operations) {
    const reason = op.state === 'skipped' ? `  — ${op.reasons.join('; ')}` : '';
    lines.push(
      `  ${MARK[op.state]} ${op.operationId.padEnd(width)}  ${op.state.padEnd(9)} ${op.method} ${op.path}${reason}`,
    );
  }
  const { exercised, failed, skipped, untested } = report.totals;
  lines.push('', `  ${exercised} exercised, ${failed} failed, ${skipped} skipped, ${untested} untested`);
  if (report.problems.length > 0) lines.push('', '  Problems:', ...report.problems.map((p) => `    - ${p}`));
  lines.push('');
  return lines.join('\n');
}
