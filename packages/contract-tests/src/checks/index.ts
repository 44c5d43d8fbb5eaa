/**
 * The check catalogue. Response checks run on every response the suite receives; the others judge a
 * chain of requests and are called by the resource suites where the chain happens.
 */
import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';
import type { ResponseCheck } from './check.js';
import { contentTypeConformance } from './content-type-conformance.js';
import { notAServerError } from './not-a-server-error.js';
import { responseSchemaConformance } from './response-schema-conformance.js';
import { statusCodeConformance } from './status-code-conformance.js';

export { CheckFailure, type CheckName, describeExchange, type ResponseCheck } from './check.js';
export { contentTypeConformance } from './content-type-conformance.js';
export { declaredSkipHonesty } from './declared-skip-honesty.js';
export { ensureResourceAvailability } from './ensure-resource-availability.js';
export { idempotencyReplay } from './idempotency-replay.js';
export { type AuthFault, ignoredAuth } from './ignored-auth.js';
export { negativeDataRejection } from './negative-data-rejection.js';
export { notAServerError } from './not-a-server-error.js';
export { responseSchemaConformance } from './response-schema-conformance.js';
export { statusCodeConformance } from './status-code-conformance.js';
export { useAfterFree } from './use-after-free.js';
export { webhookConformance } from './webhook-conformance.js';

/** The checks every response must pass, in the order they are reported. */
export const RESPONSE_CHECKS: readonly ResponseCheck[] = [
  notAServerError,
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
];

/** Runs every response check on a response; throws the first failure. */
export function checkResponse(spec: ContractSpec, response: ApiResponse): ApiResponse {
  for (const check of RESPONSE_CHECKS) check(spec, response);
  return response;
}
