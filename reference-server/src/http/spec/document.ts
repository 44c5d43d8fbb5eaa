/**
 * Loading the bundled OpenAPI document (`openapi/generated/parley.json`, produced by `pnpm generate`) and
 * resolving its local `$ref`s. The server derives its routes, authentication and validation from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** The parts of an OpenAPI 3.1 document the server reads. Everything else is carried along untyped. */
export interface OpenApiDocument extends JsonObject {
  openapi: string;
  paths: JsonObject;
}

/** The environment variable that points the server at another bundled spec file. */
export const SPEC_FILE_ENV = 'PARLEY_SPEC_FILE';

/** The default location of the bundled spec: `@parley/openapi/parley.json` (the workspace package). */
export function defaultSpecPath(): string {
  try {
    return createRequire(import.meta.url).resolve('@parley/openapi/parley.json');
  } catch {
    // Resolution fails while the file has not been generated yet; name where it is expected.
    return resolve(dirname(fileURLToPath(import.meta.url)), '../../../../openapi/generated/parley.json');
  }
}

/** Reads and sanity-checks a bundled spec. Throws with the path and a hint when it is missing or invalid. */
export function loadSpec(file: string = process.env[SPEC_FILE_ENV] || defaultSpecPath()): OpenApiDocument {
  if (!existsSync(file)) {
    throw new Error(
      `The bundled API spec ${file} does not exist; run \`pnpm generate\` at the repository root`,
    );
  }
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!isObject(parsed) || typeof parsed.openapi !== 'string' || !isObject(parsed.paths)) {
    throw new Error(`${file} is not a bundled OpenAPI document (no "openapi" or "paths")`);
  }
  return parsed as OpenApiDocument;
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escapes one JSON Pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Reads the value at a JSON Pointer (`/paths/~1session~1create/post`), or undefined. */
export function atPointer(doc: Json, pointer: string): Json | undefined {
  if (pointer === '') return doc;
  let node: Json | undefined = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** A node of the document together with the JSON Pointer it lives at. */
export interface Located<T extends Json = JsonObject> {
  node: T;
  pointer: string;
}

/**
 * Follows local `$ref`s (`#/components/...`) until a node without one is reached. Throws on external or
 * dangling references, which a bundled document must not contain.
 */
export function deref(doc: Json, located: Located<Json>): Located {
  let current = located;
  for (let hops = 0; hops < 32; hops++) {
    const { node } = current;
    if (!isObject(node)) throw new Error(`Expected an object at ${current.pointer || '/'}`);
    const ref = node.$ref;
    if (typeof ref !== 'string') return { node, pointer: current.pointer };
    if (!ref.startsWith('#'))
      throw new Error(`External $ref ${ref} at ${current.pointer}; bundle the spec first`);
    const pointer = ref.slice(1);
    const target = atPointer(doc, pointer);
    if (target === undefined) throw new Error(`Dangling $ref ${ref} at ${current.pointer}`);
    current = { node: target, pointer };
  }
  throw new Error(`$ref cycle at ${located.pointer}`);
}
