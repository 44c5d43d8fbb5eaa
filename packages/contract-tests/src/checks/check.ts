/**
 * What a check is: a small named function that judges one response (or a short chain of them) against
 * the spec and throws a {@link CheckFailure} naming itself and the evidence. Named after schemathesis's
 * checks so reports read the same.
 */
import type { ApiResponse } from '../http/client.js';
import type { ContractSpec } from '../spec.js';

/** The names of the checks in the catalogue. */
export type CheckName =
  | 'notAServerError'
  | 'statusCodeConformance'
  | 'contentTypeConformance'
  | 'responseSchemaConformance'
  | 'negativeDataRejection'
  | 'ignoredAuth'
  | 'useAfterFree'
  | 'ensureResourceAvailability'
  | 'idempotencyReplay'
  | 'webhookConformance'
  | 'declaredSkipHonesty';

/** A check that did not hold. The message says what was expected and shows the response. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
  readonly check: CheckName;

  constructor(check: CheckName, message: string) {
    super(`[${check}] ${message}`);
    this.check = check;
  }
}

/** A check of one response. */
export type ResponseCheck = (spec: ContractSpec, response: ApiResponse) => void;

/** The request and response in a form short enough for a failure message. */
export function describeExchange(response: ApiResponse): string {
  const body = response.text.length > 600 ? `${response.text.slice(0, 600)}…` : response.text;
  const sent = response.requestBody === undefined ? '' : ` with body ${truncate(response.requestBody, 300)}`;
  return `${response.method} ${response.url}${sent} → ${response.status} ${response.mediaType ?? '(no content type)'} ${body}`;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
