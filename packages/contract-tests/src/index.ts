/**
 * `@parley/contract-tests`: a contract suite that tells whether an implementation of the Vonage Video
 * API — Parley's reference server, a fork, or Vonage's cloud — honours Parley's OpenAPI spec.
 *
 * @example
 * ```ts
 * import { runContractSuite, REFERENCE_SERVER_SKIPS } from '@parley/contract-tests';
 *
 * const result = await runContractSuite({
 *   target: { baseUrl: 'http://127.0.0.1:4000' },
 *   credentials: { applicationId, privateKey, apiKey, apiSecret },
 *   skip: REFERENCE_SERVER_SKIPS,
 * });
 * console.log(result.ok, result.coverage.totals);
 * ```
 */
export { type ClientRole, type ClientTokenOptions, mintClientToken } from './auth/client-token.js';
export { type ContractCredentials, CredentialsError, type ProjectAuthStyle } from './auth/credentials.js';
export { type AuthScheme, BROKEN_AUTH, type BrokenAuth, RestJwtSigner } from './auth/rest-jwt.js';
export * from './checks/index.js';
export { main } from './cli.js';
export {
  buildCoverage,
  type CoverageOptions,
  type CoverageReport,
  formatCoverage,
  type OperationCoverage,
  type OperationState,
  type TestRecord,
} from './coverage.js';
export {
  ApiClient,
  type ApiClientOptions,
  type ApiResponse,
  type CallAuth,
  type CallOptions,
  type FetchLike,
} from './http/client.js';
export * from './negative/index.js';
export * from './participants/index.js';
export { isPresetName, PRESETS, type PresetName } from './presets.js';
export {
  CAPABILITIES,
  type Capability,
  credentialSkips,
  REFERENCE_SERVER_SKIPS,
  type SkipEntry,
  SkipListError,
  skipFor,
  VONAGE_CLOUD_SKIPS,
  validateSkips,
} from './skips.js';
export type { OperationSpec } from './spec/operations.js';
export { ContractSpec, defaultSpecPath, loadContractSpec, SPEC_FILE_ENV } from './spec.js';
export {
  type ContractSuiteOptions,
  type ContractSuiteResult,
  type ContractTarget,
  runContractSuite,
} from './suite.js';
