import type { BrokenAuth } from '../auth/rest-jwt.js';
import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/** What was wrong with the credentials of a request. */
export type AuthFault = BrokenAuth | 'foreignProject';

/**
 * `ignoredAuth`: an authenticated operation refuses bad credentials. The spec's rule: `401` for missing,
 * malformed, expired or wrongly signed credentials (and `alg: none`), `403` for valid credentials of
 * another project.
 */
export function ignoredAuth(spec: ContractSpec, response: ApiResponse, fault: AuthFault): void {
  void spec;
  const expected = fault === 'foreignProject' ? 403 : 401;
  if (response.status === expected) return;
  const what =
    fault === 'foreignProject' ? "valid credentials for another project's path" : `${fault} credentials`;
  throw new CheckFailure(
    'ignoredAuth',
    `${response.operation.operationId} answered ${response.status} to ${what}; expected ${expected}: ${describeExchange(response)}`,
  );
}
