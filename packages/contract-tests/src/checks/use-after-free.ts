import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/** `useAfterFree`: after a successful DELETE, reading the same resource answers 404. */
export function useAfterFree(spec: ContractSpec, deleted: ApiResponse, readAfter: ApiResponse): void {
  void spec;
  if (deleted.status < 200 || deleted.status >= 300) return;
  if (readAfter.status === 404) return;
  throw new CheckFailure(
    'useAfterFree',
    `${readAfter.operation.operationId} after ${deleted.operation.operationId} answered ${readAfter.status}, expected 404: ${describeExchange(readAfter)}`,
  );
}
