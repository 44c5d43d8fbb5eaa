/**
 * An Ajv (JSON Schema 2020-12, strict) instance that understands a bundled OpenAPI 3.1 document: the
 * OpenAPI vocabulary keywords are known, OpenAPI's extra formats are defined, and the whole document is
 * registered under one ID so any schema inside it is compiled by JSON Pointer. The same approach as the
 * spec's own tests (`openapi/test/ajv.ts`), kept separate so the suite can judge a spec it did not build.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from './json.js';

// Both packages are CommonJS with `exports.default`; under NodeNext the default import is the module object.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** The Ajv instance type. */
export type SpecAjv = InstanceType<typeof Ajv2020>;

/** The ID under which the bundled document is registered. */
export const DOC_ID = 'parley-contract';

/** Builds the validator for one bundled document. */
export function createSpecAjv(doc: JsonObject): SpecAjv {
  const ajv = new Ajv2020({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: true,
    // OpenAPI's `discriminator` may carry a `mapping`, which Ajv's own support rejects; the `oneOf` it
    // annotates already decides validity, so the keyword is an annotation here.
    discriminator: false,
    validateFormats: true,
  });
  addFormats(ajv);
  for (const keyword of ['discriminator', 'example', 'xml', 'externalDocs']) ajv.addKeyword({ keyword });
  // The document's top-level members: Ajv compiles the registered root as a schema before resolving
  // pointers into it, so strict mode must know them (as annotations).
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

/** The `$ref` that points Ajv at a JSON Pointer inside the registered document. */
export function refTo(pointer: string): { $ref: string } {
  const encoded = pointer
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return { $ref: `${DOC_ID}#${encoded}` };
}
