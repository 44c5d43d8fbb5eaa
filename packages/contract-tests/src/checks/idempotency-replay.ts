import { isDeepStrictEqual } from 'node:util';
import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/**
 * `idempotencyReplay`: a POST repeated with the same `Idempotency-Key` gets the stored response of the
 * first one — same status, same body — instead of acting twice.
 */
export function idempotencyReplay(spec: ContractSpec, first: ApiResponse, replay: ApiResponse): void {
  void spec;
  const sameBody =
    first.body !== undefined ? isDeepStrictEqual(first.body, replay.body) : first.text === replay.text;
  if (first.status === replay.status && sameBody) return;
  throw new CheckFailure(
    'idempotencyReplay',
    `${first.operation.operationId} repeated with the same Idempotency-Key was not replayed:\n  first:  ${describeExchange(first)}\n  replay: ${describeExchange(replay)}`,
  );
}
