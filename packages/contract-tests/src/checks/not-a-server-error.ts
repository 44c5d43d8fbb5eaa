import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/**
 * `notAServerError`: the target never answers 5xx unless the spec documents that 5xx for the operation
 * (as `/readyz` documents 503). A server error on a request the suite built from the spec is a bug.
 */
export function notAServerError(spec: ContractSpec, response: ApiResponse): void {
  void spec;
  if (response.status < 500) return;
  const documented = response.operation.responses.some((r) => r.status === String(response.status));
  if (documented && response.status !== 500) return;
  throw new CheckFailure(
    'notAServerError',
    `the target answered a server error: ${describeExchange(response)}`,
  );
}
