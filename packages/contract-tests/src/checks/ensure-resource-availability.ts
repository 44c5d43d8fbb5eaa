import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/** `ensureResourceAvailability`: after a successful create, reading the new resource succeeds. */
export function ensureResourceAvailability(
  spec: ContractSpec,
  created: ApiResponse,
  readAfter: ApiResponse,
): void {
  void spec;
  if (created.status < 200 || created.status >= 300) return;
  if (readAfter.status >= 200 && readAfter.status < 300) return;
  throw new CheckFailure(
    'ensureResourceAvailability',
    `${readAfter.operation.operationId} right after ${created.operation.operationId} answered ${readAfter.status}: ${describeExchange(readAfter)}`,
  );
}
