import type { ApiResponse } from '../http/client.js';
import { responseFor } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/**
 * `contentTypeConformance`: a response with a body carries one of the media types documented for its
 * status, and a status documented without content (204) has no body.
 */
export function contentTypeConformance(spec: ContractSpec, response: ApiResponse): void {
  void spec;
  const documented = responseFor(response.operation, response.status);
  if (!documented) return; // statusCodeConformance reports undocumented statuses.
  if (documented.content.length === 0) {
    if (response.text.length > 0) {
      throw new CheckFailure(
        'contentTypeConformance',
        `${response.operation.operationId} documents no body for ${documented.status}, but one was sent: ${describeExchange(response)}`,
      );
    }
    return;
  }
  if (response.status === 204 || response.status === 304) return;
  const actual = response.mediaType;
  const ok = documented.content.some((media) => {
    // Documented media types may carry parameters (`text/plain; version=0.0.4`); the type decides.
    const mediaType = (media.mediaType.split(';')[0] ?? '').trim();
    if (mediaType === '*/*' || mediaType === actual) return true;
    return mediaType.endsWith('/*') && actual?.startsWith(mediaType.slice(0, -1));
  });
  if (!ok) {
    const allowed = documented.content.map((c) => c.mediaType).join(' or ');
    throw new CheckFailure(
      'contentTypeConformance',
      `${response.operation.operationId} ${documented.status} must be ${allowed}, got ${actual ?? 'no Content-Type'}: ${describeExchange(response)}`,
    );
  }
}
