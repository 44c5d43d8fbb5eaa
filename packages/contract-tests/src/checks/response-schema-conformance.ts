import type { ApiResponse } from '../http/client.js';
import { responseFor } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure, describeExchange } from './check.js';

/**
 * `responseSchemaConformance`: a JSON body validates (Ajv 2020, strict, every error reported) against the
 * schema documented for its status and media type. Non-JSON media types are left to
 * `contentTypeConformance`, except that a JSON schema for a non-JSON body is checked on the text.
 */
export function responseSchemaConformance(spec: ContractSpec, response: ApiResponse): void {
  const documented = responseFor(response.operation, response.status);
  if (!documented || response.text.length === 0) return;
  const media = documented.content.find(
    (c) => (c.mediaType.split(';')[0] ?? '').trim() === response.mediaType,
  );
  if (!media?.schemaPointer) return;
  const isJson = media.mediaType === 'application/json' || media.mediaType.endsWith('+json');
  if (isJson && response.body === undefined) {
    throw new CheckFailure(
      'responseSchemaConformance',
      `${response.operation.operationId} ${response.status} claims JSON but the body does not parse: ${describeExchange(response)}`,
    );
  }
  const errors = spec.validate(media.schemaPointer, isJson ? response.body : response.text);
  if (errors) {
    throw new CheckFailure(
      'responseSchemaConformance',
      `${response.operation.operationId} ${response.status} body breaks ${media.schemaPointer}:\n  ${errors.join('\n  ')}\n${describeExchange(response)}`,
    );
  }
}
