/**
 * JSON values and JSON Pointer helpers for walking a bundled OpenAPI document.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escapes one JSON Pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Reads the value at a JSON Pointer, or undefined when nothing is there. */
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

/** A node together with the JSON Pointer it was found at. */
export interface Located<T extends Json = JsonObject> {
  node: T;
  pointer: string;
}

/**
 * Follows local `$ref`s until a node without one is reached. A bundled document has no external
 * references, so one is an error rather than something to fetch.
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
    const target = atPointer(doc, ref.slice(1));
    if (target === undefined) throw new Error(`Dangling $ref ${ref} at ${current.pointer}`);
    current = { node: target, pointer: ref.slice(1) };
  }
  throw new Error(`$ref cycle at ${located.pointer}`);
}
