/**
 * `contractTest()`: how contract files declare a test. Each test names the operations it exercises and
 * the capabilities it needs; the run's skip list decides whether it runs, and what it declared and called
 * goes into its metadata for the coverage report.
 *
 * @example
 * ```ts
 * contractTest('callbacks > register, list, delete', { operations: ['registerCallback', 'listCallbacks'] }, async (h) => {
 *   const created = await h.expect('registerCallback', 200, { body: { group: 'session', event: 'created', url } });
 * });
 * ```
 */
import { test } from 'vitest';
import { declaredSkipHonesty } from '../checks/declared-skip-honesty.js';
import { type Capability, skipFor } from '../skips.js';
import { ContractHarness, runContext } from './context.js';
import { exampleBody, placeholderPathParams } from './examples.js';
import type { ContractTestMeta } from './test-meta.js';

/** What a contract test declares. */
export interface ContractTestOptions {
  /** Every operation the test calls. Calling an undeclared one fails the test. */
  operations: readonly string[];
  needs?: readonly Capability[];
  /** Default 30 s. */
  timeoutMs?: number;
}

/** Declares one contract test. */
export function contractTest(
  name: string,
  options: ContractTestOptions,
  body: (harness: ContractHarness) => Promise<void>,
): void {
  const meta: ContractTestMeta = {
    operations: [...options.operations],
    needs: [...(options.needs ?? [])],
    called: [],
  };
  test(name, { meta: { parleyContract: meta }, timeout: options.timeoutMs ?? 30_000 }, async (context) => {
    const { config, spec } = runContext();
    for (const id of options.operations) {
      if (!spec.has(id)) throw new Error(`${name} declares ${id}, which the spec does not define`);
    }
    const taskMeta = context.task.meta.parleyContract ?? meta;
    context.task.meta.parleyContract = taskMeta;
    const skip = skipFor(config.skips, {
      fullName: context.task.fullName,
      operations: options.operations,
      needs: options.needs ?? [],
    });
    if (skip) {
      taskMeta.skipReason = skip.reason;
      context.skip(skip.reason);
      return;
    }
    const called = new Set<string>();
    const undeclared = new Set<string>();
    const harness = new ContractHarness((operationId) => {
      called.add(operationId);
      if (!options.operations.includes(operationId)) undeclared.add(operationId);
    });
    try {
      await body(harness);
    } catch (error) {
      // The test's own failure is the one worth reading; a clean-up failure after it is secondary.
      await harness.cleanUp().catch(() => undefined);
      throw error;
    } finally {
      taskMeta.called = [...called];
    }
    await harness.cleanUp();
    if (undeclared.size > 0) {
      throw new Error(`${name} called ${[...undeclared].join(', ')} without declaring it in operations`);
    }
  });
}

/**
 * Declares the test that keeps a "not implemented" skip honest: the operation must answer exactly 501
 * with the API's error body (`declaredSkipHonesty`). The request is well-formed (the spec's example body,
 * plausible path parameters, valid credentials), so nothing else can explain another status.
 */
export function declaredSkipTest(operationId: string, reason: string): void {
  const meta: ContractTestMeta = { operations: [operationId], needs: [], called: [], verifiesSkip: true };
  test(`${operationId} answers 501 as declared (${reason})`, {
    meta: { parleyContract: meta },
  }, async (context) => {
    const { spec } = runContext();
    const harness = new ContractHarness((id) => meta.called.push(id));
    context.task.meta.parleyContract = meta;
    const operation = spec.operation(operationId);
    const body = exampleBody(spec, operation);
    const response = await harness.api.call(operationId, {
      path: placeholderPathParams(spec, operation),
      ...(body !== undefined ? { body } : {}),
    });
    declaredSkipHonesty(spec, response);
  });
}
