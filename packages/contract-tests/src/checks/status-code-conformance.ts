import type { ApiResponse } from '../http/client.js';
import { responseFor } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/** `statusCodeConformance`: the status is one the operation documents (exactly, by range, or `default`). */
export function statusCodeConformance(spec: ContractSpec, response: ApiResponse): void {
  void spec;
  if (responseFor(response.operation, response.status)) return;
  const documented = response.operation.responses.map((r) => r.status).join(', ');
  throw new CheckFailure(
    'statusCodeConformance',
    `${response.operation.operationId} documents ${documented}, not ${response.status}: ${describeExchange(response)}`,
  );
}
