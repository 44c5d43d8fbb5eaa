import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/**
 * `declaredSkipHonesty`: an operation declared "not implemented" in the skip list answers exactly 501
 * with the API's error body (`code` 501xx). So the skip list cannot hide crashes (500) or operations that
 * have quietly been implemented since (2xx), and it shrinks as the target grows.
 */
export function declaredSkipHonesty(spec: ContractSpec, response: ApiResponse): void {
  const { operationId } = response.operation;
  if (response.status !== 501) {
    const hint =
      response.status < 300
        ? 'it seems implemented now: remove it from the skip list'
        : 'a skip may only hide the documented 501';
    throw new CheckFailure(
      'declaredSkipHonesty',
      `${operationId} is declared not implemented but answered ${response.status} (${hint}): ${describeExchange(response)}`,
    );
  }
  const errors = spec.doc.components ? spec.validate('/components/schemas/Error', response.body) : null;
  const code = (response.body as { code?: unknown } | undefined)?.code;
  if (errors || typeof code !== 'number' || Math.floor(code / 100) !== 501) {
    throw new CheckFailure(
      'declaredSkipHonesty',
      `${operationId} answered 501 without the error body {"code": 501xx, "message": …}: ${describeExchange(response)}`,
    );
  }
}
