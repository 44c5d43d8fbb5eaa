/**
 * The configuration one contract run hands to its test workers through vitest's `provide`/`inject`:
 * plain JSON, since it crosses a process boundary.
 */
import type { ContractCredentials } from '../auth/credentials.js';
import type { Capability, SkipEntry } from '../skips.js';

/** What every worker of a run needs to know. */
export interface RunConfig {
  /** The target's base URL, without a trailing slash. */
  baseUrl: string;
  credentials: ContractCredentials;
  skips: SkipEntry[];
  /** The bundled spec file. */
  specFile: string;
  /** Per-request timeout in ms. */
  requestTimeoutMs: number;
  /**
   * The host the suite's own HTTP receivers (webhooks) bind to and advertise. Default `127.0.0.1`, right
   * for a target on the same machine.
   */
  receiverHost: string;
  /** Capabilities assumed present unless a skip says otherwise. */
  capabilities: Capability[];
}

/** The `provide` key of the run configuration. */
export const RUN_CONFIG_KEY = 'parleyContractRun';

declare module 'vitest' {
  interface ProvidedContext {
    parleyContractRun: RunConfig;
  }
}
