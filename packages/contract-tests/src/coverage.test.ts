import { describe, expect, it } from 'vitest';
import { buildCoverage, formatCoverage, type TestRecord } from './coverage.js';
import { miniSpec } from './fixtures/mini-spec.js';

const operations = miniSpec().operations;
const test = (
  fullName: string,
  state: TestRecord['state'],
  declared: string[],
  called: string[] = declared,
  extra: Partial<TestRecord['meta']> = {},
): TestRecord => ({
  fullName,
  state,
  meta: { operations: declared, needs: [], called, ...extra },
});

describe('buildCoverage', () => {
  it('marks exercised, failed, skipped (with reasons) and untested operations', () => {
    const report = buildCoverage(operations, [
      test('creates', 'passed', ['createWidget', 'listWidgets']),
      test('deletes', 'failed', ['deleteWidget']),
      test('health', 'skipped', ['health'], [], { skipReason: 'not yet' }),
      test('health 501', 'passed', ['health'], ['health'], { verifiesSkip: true }),
    ]);
    const state = Object.fromEntries(report.operations.map((o) => [o.operationId, o.state]));
    expect(state).toEqual({
      createWidget: 'exercised',
      listWidgets: 'exercised',
      deleteWidget: 'failed',
      health: 'skipped',
      widgetCreated: 'untested',
    });
    expect(report.operations.find((o) => o.operationId === 'health')?.reasons).toEqual(['not yet']);
    expect(report.totals).toEqual({ exercised: 2, failed: 1, skipped: 1, untested: 1 });
    expect(report.problems).toEqual([
      'deleteWidget failed',
      'widgetCreated (POST widgetCreated) has no test',
    ]);
    expect(report.ok).toBe(false);
  });

  it('does not count a test that declared an operation but never called it', () => {
    const report = buildCoverage(operations, [
      test('lists', 'passed', ['listWidgets', 'createWidget'], ['listWidgets']),
    ]);
    expect(report.operations.find((o) => o.operationId === 'createWidget')?.state).toBe('untested');
    expect(report.problems).toContain('createWidget is declared by tests that never called it');
  });

  it('reports unknown operations and, for partial runs, tolerates untested ones', () => {
    const report = buildCoverage(operations, [test('ghost', 'passed', ['ghostOp'])], {
      requireEveryOperation: false,
    });
    expect(report.problems).toEqual(['ghost declares ghostOp, which the spec does not define']);
  });

  it('formats one line per operation with skip reasons and totals', () => {
    const text = formatCoverage(
      buildCoverage(operations, [test('health', 'skipped', ['health'], [], { skipReason: 'not yet' })]),
    );
    expect(text).toMatch(/↓ health\s+skipped\s+GET \/healthz {2}— not yet/);
    expect(text).toContain('0 exercised, 0 failed, 1 skipped, 4 untested');
  });
});
