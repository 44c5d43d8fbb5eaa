import type { ApiResponse } from '../http/client.js';
import { responseFor } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';
import { responseSchemaConformance } from './response-schema-conformance.js';
import { statusCodeConformance } from './status-code-conformance.js';

/** 4xx statuses that do not say "your request is wrong", but "you are not allowed" or "slow down". */
const NOT_REJECTIONS = new Set([401, 403, 429]);

/** True for a status that rejects the request itself: any 4xx but 401, 403 and 429. */
const isRejection = (status: number): boolean => status >= 400 && status < 500 && !NOT_REJECTIONS.has(status);

/**
 * `negativeDataRejection`: a request the suite made invalid on purpose (a required field dropped, a wrong
 * type, an out-of-range value, …) is refused with a documented 4xx — never accepted, never a 5xx, never
 * an auth error (the credentials were valid) — and the error body is the documented one.
 */
export function negativeDataRejection(spec: ContractSpec, response: ApiResponse, mutation: string): void {
  const { operationId } = response.operation;
  if (!response.operation.responses.some((r) => isRejection(Number(r.status)))) {
    // The operation documents no way to refuse (the client-protocol calls answer errors with HTTP 200 and an
    // error object): it must answer one of its documented responses, as documented, and never a 5xx.
    if (response.status >= 500) {
      throw new CheckFailure(
        'negativeDataRejection',
        `${operationId} answered ${response.status} to ${mutation}: ${describeExchange(response)}`,
      );
    }
    statusCodeConformance(spec, response);
    responseSchemaConformance(spec, response);
    return;
  }
  if (!isRejection(response.status)) {
    const verb = response.status < 300 ? 'accepted' : `answered ${response.status} to`;
    throw new CheckFailure(
      'negativeDataRejection',
      `${operationId} ${verb} an invalid request (${mutation}); expected a documented 4xx: ${describeExchange(response)}`,
    );
  }
  const documented = responseFor(response.operation, response.status);
  if (!documented || documented.status === 'default') {
    throw new CheckFailure(
      'negativeDataRejection',
      `${operationId} rejected an invalid request (${mutation}) with ${response.status}, which it does not document: ${describeExchange(response)}`,
    );
  }
  const media = documented.content.find(
    (c) => (c.mediaType.split(';')[0] ?? '').trim() === response.mediaType,
  );
  if (documented.content.length > 0 && !media) {
    throw new CheckFailure(
      'negativeDataRejection',
      `${operationId} rejected ${mutation} without the documented error body: ${describeExchange(response)}`,
    );
  }
  if (media?.schemaPointer) {
    const errors = spec.validate(media.schemaPointer, response.body);
    if (errors) {
      throw new CheckFailure(
        'negativeDataRejection',
        `${operationId} rejected ${mutation}, but the error body breaks ${media.schemaPointer}: ${errors.join('; ')}: ${describeExchange(response)}`,
      );
    }
  }
}
