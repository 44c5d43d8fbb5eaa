/**
 * The spec tests' validator: the shared strict OpenAPI Ajv (`lib/ajv.ts`) with the bundled document
 * registered under the ID `parley`.
 */
import { createStrictSpecAjv, type OpenApiAjv, refTo } from '../lib/ajv.js';
import type { Json, JsonObject } from './spec-walk.js';

/** The document ID under which the bundled spec is registered. */
export const DOC_ID = 'parley';

/** Builds the validator for one bundled document. */
export function createSpecAjv(doc: JsonObject): OpenApiAjv {
  return createStrictSpecAjv(doc, DOC_ID);
}

/** Validates a value against the schema at `pointer`; returns the error text or null. */
export function validateAt(ajv: OpenApiAjv, pointer: string, value: Json): string | null {
  const validate = ajv.compile(refTo(DOC_ID, pointer));
  if (validate(value)) return null;
  return ajv.errorsText(validate.errors, { dataVar: 'example' });
}
