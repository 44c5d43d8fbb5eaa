/**
 * Request validators compiled from the spec's own schemas with Ajv (JSON Schema 2020-12, OpenAPI 3.1's
 * dialect). The whole bundled document is registered once under the ID `parley`; each operation's
 * parameters and bodies are compiled as `$ref`s into it, so no rule of the spec is written twice.
 */
import { addOpenApiFormats, type OpenApiAjv, refTo as refInto } from '@parley/openapi/ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import { escapePointer, type JsonObject, type OpenApiDocument } from './document.js';
import type { OperationSpec, ParameterLocation } from './operations.js';
import {
  type DescribedError,
  describeValidationErrors,
  indexBranches,
  type SchemaLookup,
  type ValueLocation,
} from './validation-messages.js';

// Ajv is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const Ajv2020 = Ajv2020Module.default;
type Ajv = OpenApiAjv;
type ValidateFunction = ReturnType<Ajv['compile']>;

/** The document ID under which the bundled spec is registered in Ajv. */
const DOC_ID = 'parley';

const refTo = (pointer: string): { $ref: string } => refInto(DOC_ID, pointer);

function createAjv(doc: OpenApiDocument, coerceTypes: boolean): Ajv {
  const ajv = new Ajv2020({
    // Non-strict: the spec's annotation keywords (`example`, `discriminator`, `x-…`) are ignored rather
    // than rejected, so adding documentation to the spec never breaks the server.
    strict: false,
    allErrors: false,
    verbose: true,
    useDefaults: true,
    // Query, path and header values arrive as text; coercion turns `count=10` into 10 as the schema says.
    coerceTypes: coerceTypes ? 'array' : false,
    logger: false,
  });
  addOpenApiFormats(ajv);
  ajv.addSchema(doc as object, DOC_ID);
  return ajv;
}

/** A failed validation, ready to become a 400 (or 413) response. */
export type ValidationFailure = DescribedError;

/** The validators of one operation. */
export interface OperationValidators {
  /**
   * Validates (and coerces and defaults, in place) the values of one parameter location. `values` is
   * Fastify's `request.params`, `request.query` or `request.headers`.
   */
  parameters(location: Exclude<ParameterLocation, 'cookie'>, values: unknown): ValidationFailure | null;
  /** The media types the operation accepts a body in (lowercase, no parameters). */
  readonly mediaTypes: readonly string[];
  /** Validates (and defaults, in place) a body sent as `mediaType`, one of {@link mediaTypes}. */
  body(mediaType: string, body: unknown): ValidationFailure | null;
}

const LOCATION_NAMES: Record<Exclude<ParameterLocation, 'cookie'>, ValueLocation> = {
  path: 'path',
  query: 'query',
  header: 'header',
};

/** Compiles validators for operations of one document. */
export class SpecValidators {
  readonly #parameterAjv: Ajv;
  readonly #bodyAjv: Ajv;
  readonly #lookup: SchemaLookup;

  constructor(doc: OpenApiDocument) {
    this.#parameterAjv = createAjv(doc, true);
    this.#bodyAjv = createAjv(doc, false);
    this.#lookup = indexBranches(doc);
  }

  /** Compiles the validators of `operation`. Throws at start-up when the spec has a broken schema. */
  forOperation(operation: OperationSpec): OperationValidators {
    const parameterValidators = new Map<string, ValidateFunction>();
    for (const location of ['path', 'query', 'header'] as const) {
      const declared = operation.parameters.filter((p) => p.in === location);
      if (declared.length === 0) continue;
      const properties: JsonObject = {};
      const required: string[] = [];
      for (const parameter of declared) {
        // Header names are case-insensitive; Node lowercases them.
        const name = location === 'header' ? parameter.name.toLowerCase() : parameter.name;
        properties[name] = parameter.schemaPointer ? refTo(parameter.schemaPointer) : {};
        if (parameter.required) required.push(name);
      }
      parameterValidators.set(
        location,
        this.#compile(this.#parameterAjv, { type: 'object', properties, required }, operation, location),
      );
    }
    const bodyValidators = new Map<string, ValidateFunction | null>();
    for (const media of operation.requestBody?.content ?? []) {
      bodyValidators.set(
        media.mediaType,
        media.schemaPointer
          ? this.#compile(this.#bodyAjv, refTo(media.schemaPointer), operation, `body (${media.mediaType})`)
          : null,
      );
    }
    const lookup = this.#lookup;
    return {
      parameters(location, values) {
        const validate = parameterValidators.get(location);
        if (!validate || validate(values ?? {})) return null;
        return describeValidationErrors(validate.errors ?? [], LOCATION_NAMES[location], lookup);
      },
      mediaTypes: [...bodyValidators.keys()],
      body(mediaType, body) {
        const validate = bodyValidators.get(mediaType);
        if (!validate || validate(body)) return null;
        return describeValidationErrors(validate.errors ?? [], 'body', lookup);
      },
    };
  }

  #compile(ajv: Ajv, schema: object, operation: OperationSpec, what: string): ValidateFunction {
    try {
      return ajv.compile(schema);
    } catch (error) {
      throw new Error(
        `Cannot compile the ${what} schema of ${operation.operationId} (${escapePointer(operation.pointer)}): ${String(error)}`,
        { cause: error },
      );
    }
  }
}
