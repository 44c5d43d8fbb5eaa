/**
 * An Ajv (JSON Schema 2020-12) instance that understands a bundled OpenAPI 3.1 document: the OpenAPI
 * vocabulary keywords are known, OpenAPI's extra formats are defined, and the whole document is
 * registered under the ID `parley` so any schema inside it can be validated by JSON pointer.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Json, JsonObject } from './spec-walk.js';

// Both packages are CommonJS with `exports.default`; under NodeNext the default import is the module object.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** The document ID under which the bundled spec is registered. */
export const DOC_ID = 'parley';

/** Builds the validator for one bundled document. */
export function createSpecAjv(doc: JsonObject): InstanceType<typeof Ajv2020> {
  const ajv = new Ajv2020({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: true,
    // `discriminator` in OpenAPI may carry a `mapping`, which Ajv's own discriminator support rejects;
    // the `oneOf` it annotates already decides validity, so the keyword is treated as an annotation.
    discriminator: false,
    validateFormats: true,
  });
  addFormats(ajv);
  // OpenAPI 3.1's dialect adds these annotation keywords to JSON Schema.
  ajv.addKeyword({ keyword: 'discriminator' });
  ajv.addKeyword({ keyword: 'example' });
  ajv.addKeyword({ keyword: 'xml' });
  ajv.addKeyword({ keyword: 'externalDocs' });
  // The document's top-level OpenAPI members: Ajv compiles the registered root as a schema before it
  // resolves pointers into it, so these must be known (as annotations) for strict mode.
  for (const keyword of [
    'openapi',
    'info',
    'servers',
    'paths',
    'webhooks',
    'components',
    'tags',
    'security',
  ]) {
    ajv.addKeyword({ keyword });
  }
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('binary', true);
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('password', true);
  ajv.addSchema(doc as object, DOC_ID);
  return ajv;
}

/** The `$ref` that points Ajv at a JSON pointer inside the registered document. */
export function refTo(pointer: string): { $ref: string } {
  const encoded = pointer
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return { $ref: `${DOC_ID}#${encoded}` };
}

/** Validates a value against the schema at `pointer`; returns the error text or null. */
export function validateAt(ajv: InstanceType<typeof Ajv2020>, pointer: string, value: Json): string | null {
  const validate = ajv.compile(refTo(pointer));
  if (validate(value)) return null;
  return ajv.errorsText(validate.errors, { dataVar: 'example' });
}
