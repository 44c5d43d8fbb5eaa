/**
 * Ajv (JSON Schema 2020-12) set up for the schemas of an OpenAPI 3.1 document: OpenAPI's extra formats,
 * its annotation keywords, and a strict instance that registers a whole bundled document under one ID
 * so any schema inside it can be compiled by JSON Pointer. Shared by the spec's own tests, the contract
 * suite and the reference server's request validation, so the three read the spec the same way.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// Both packages are CommonJS with `exports.default`; under NodeNext the default import is the module object.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** An Ajv 2020 instance. */
export type OpenApiAjv = InstanceType<typeof Ajv2020>;

/** Adds the standard formats (`ajv-formats`) and the ones OpenAPI defines on top (`int32`, `binary`, …). */
export function addOpenApiFormats(ajv: OpenApiAjv): void {
  addFormats(ajv);
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
}

/**
 * Builds a strict validator with `doc` registered under `docId`. OpenAPI 3.1's annotation keywords and
 * the document's top-level members are declared as annotations, since strict mode rejects unknown
 * keywords and Ajv compiles the registered root as a schema before it resolves pointers into it.
 */
export function createStrictSpecAjv(doc: object, docId: string): OpenApiAjv {
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
  addOpenApiFormats(ajv);
  const annotations = ['discriminator', 'example', 'xml', 'externalDocs'];
  const documentMembers = [
    'openapi',
    'info',
    'servers',
    'paths',
    'webhooks',
    'components',
    'tags',
    'security',
  ];
  for (const keyword of [...annotations, ...documentMembers]) ajv.addKeyword({ keyword });
  ajv.addSchema(doc, docId);
  return ajv;
}

/** The `$ref` that points Ajv at a JSON Pointer inside the document registered as `docId`. */
export function refTo(docId: string, pointer: string): { $ref: string } {
  const encoded = pointer
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return { $ref: `${docId}#${encoded}` };
}
