/**
 * The contract suite's validator: the shared strict OpenAPI Ajv of `@parley/openapi/ajv` (also used by
 * the spec's own tests), with the bundled document under test registered under the suite's own ID.
 */
import { createStrictSpecAjv, type OpenApiAjv, refTo as refInto } from '@parley/openapi/ajv';
import type { JsonObject } from './json.js';

/** The Ajv instance type. */
export type SpecAjv = OpenApiAjv;

/** The ID under which the bundled document is registered. */
export const DOC_ID = 'parley-contract';

/** Builds the validator for one bundled document. */
export function createSpecAjv(doc: JsonObject): SpecAjv {
  return createStrictSpecAjv(doc, DOC_ID);
}

/** The `$ref` that points Ajv at a JSON Pointer inside the registered document. */
export function refTo(pointer: string): { $ref: string } {
  return refInto(DOC_ID, pointer);
}
