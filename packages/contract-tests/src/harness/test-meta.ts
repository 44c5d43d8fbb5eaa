/**
 * What each contract test records about itself in vitest's task metadata, which reaches the coverage
 * reporter in the main process: the operations it declares, what it needs, and what it actually called.
 */
import type { Capability } from '../skips.js';

/** A contract test's metadata. */
export interface ContractTestMeta {
  /** The operations the test exercises (declared up front, so skipped tests still count as tests). */
  operations: string[];
  /** Capabilities it needs. */
  needs: Capability[];
  /** The operations it really called, filled in as it runs. */
  called: string[];
  /** The declared skip's reason, when it was skipped. */
  skipReason?: string;
  /** True for a test that verifies a declared skip (the operation answers 501). */
  verifiesSkip?: boolean;
}

declare module 'vitest' {
  interface TaskMeta {
    parleyContract?: ContractTestMeta;
  }
}
