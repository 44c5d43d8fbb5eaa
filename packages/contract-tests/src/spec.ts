/**
 * The spec the suite judges against: the bundled OpenAPI document, its operation index and a strict Ajv
 * validator for any schema inside it. Loaded once per worker; everything the suite generates or checks
 * comes from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createSpecAjv, refTo, type SpecAjv } from './spec/ajv.js';
import { atPointer, deref, isObject, type Json, type JsonObject } from './spec/json.js';
import { listOperations, type OperationSpec } from './spec/operations.js';

/** The environment variable naming another bundled spec file. */
export const SPEC_FILE_ENV = 'PARLEY_CONTRACT_SPEC_FILE';

/** The default bundled spec: `@parley/openapi/parley.json`. */
export function defaultSpecPath(): string {
  return createRequire(import.meta.url).resolve('@parley/openapi/parley.json');
}

/** A loaded spec with its operation index and validator. */
export class ContractSpec {
  /** The bundled document. */
  readonly doc: JsonObject;
  /** Every operation, `paths` first, then `webhooks`. */
  readonly operations: readonly OperationSpec[];
  readonly #byId: ReadonlyMap<string, OperationSpec>;
  readonly #ajv: SpecAjv;
  readonly #compiled = new Map<string, ReturnType<SpecAjv['compile']>>();

  constructor(doc: JsonObject) {
    if (typeof doc.openapi !== 'string' || !isObject(doc.paths)) {
      throw new Error('The spec is not a bundled OpenAPI document (no "openapi" or "paths")');
    }
    this.doc = doc;
    this.operations = listOperations(doc);
    this.#byId = new Map(this.operations.map((o) => [o.operationId, o]));
    this.#ajv = createSpecAjv(doc);
  }

  /** The operation with this ID; throws naming the ID when the spec has none. */
  operation(operationId: string): OperationSpec {
    const found = this.#byId.get(operationId);
    if (!found) throw new Error(`The spec has no operation "${operationId}"`);
    return found;
  }

  /** True when the spec defines this operationId. */
  has(operationId: string): boolean {
    return this.#byId.has(operationId);
  }

  /** The schema at a pointer, `$ref`s followed. */
  schemaAt(pointer: string): JsonObject {
    return deref(this.doc, { node: this.nodeAt(pointer), pointer }).node;
  }

  /** The raw node at a pointer; throws when nothing is there. */
  nodeAt(pointer: string): Json {
    const node = atPointer(this.doc, pointer);
    if (node === undefined) throw new Error(`The spec has nothing at ${pointer}`);
    return node;
  }

  /** Follows `$ref`s from a node found inside the document. */
  resolve(node: Json, pointer = ''): JsonObject {
    return deref(this.doc, { node, pointer }).node;
  }

  /**
   * Validates a value against the schema at `pointer`. Returns null when it is valid, else every
   * violation as one readable line each (`/items/0/status must be equal to one of the allowed values`).
   */
  validate(pointer: string, value: unknown): string[] | null {
    let validate = this.#compiled.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile(refTo(pointer));
      this.#compiled.set(pointer, validate);
    }
    if (validate(value)) return null;
    return (validate.errors ?? []).map((e) => {
      const extra =
        e.keyword === 'enum' && isObject(e.params as Json)
          ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})`
          : e.keyword === 'additionalProperties'
            ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})`
            : '';
      return `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${extra}`;
    });
  }
}

/** Reads and indexes a bundled spec. Default: `$PARLEY_CONTRACT_SPEC_FILE`, else `@parley/openapi`'s. */
export function loadContractSpec(
  file: string = process.env[SPEC_FILE_ENV] || defaultSpecPath(),
): ContractSpec {
  if (!existsSync(file)) {
    throw new Error(
      `The bundled API spec ${file} does not exist; run \`pnpm generate\` at the repository root`,
    );
  }
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!isObject(parsed)) throw new Error(`${file} is not a JSON object`);
  return new ContractSpec(parsed);
}
