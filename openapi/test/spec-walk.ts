/**
 * Helpers that walk a bundled OpenAPI 3.1 document: every operation (paths and webhooks), every
 * example with the schema it must satisfy, and every schema object. Used by the spec's own tests.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** The HTTP methods an OpenAPI path item can hold. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One operation with where it lives. */
export interface OperationRef {
  /** `paths` or `webhooks`. */
  section: 'paths' | 'webhooks';
  /** The path template or the webhook name. */
  key: string;
  method: (typeof HTTP_METHODS)[number];
  operation: JsonObject;
  /** JSON pointer of the operation inside the document. */
  pointer: string;
}

/** An example and the JSON pointer of the schema it must validate against. */
export interface ExampleRef {
  /** Where the example sits, for messages. */
  where: string;
  schemaPointer: string;
  value: Json;
}

/** Escapes one JSON-pointer segment. */
export function pointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reads a JSON pointer (as produced by {@link pointerSegment}) from a document. */
export function resolvePointer(doc: Json, pointer: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(seg)] : node[seg];
  }
  return node;
}

/** Follows a local `$ref` (`#/components/…`) chain to the object it names. */
export function deref(doc: JsonObject, node: Json | undefined): Json | undefined {
  let current = node;
  for (let hops = 0; hops < 20; hops++) {
    if (!isObject(current) || typeof current.$ref !== 'string' || !current.$ref.startsWith('#'))
      return current;
    current = resolvePointer(doc, current.$ref.slice(1));
  }
  throw new Error('$ref chain too long');
}

/** True for a plain JSON object. */
export function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every operation in `paths` and `webhooks`. */
export function listOperations(doc: JsonObject): OperationRef[] {
  const result: OperationRef[] = [];
  for (const section of ['paths', 'webhooks'] as const) {
    const items = doc[section];
    if (!isObject(items)) continue;
    for (const [key, rawItem] of Object.entries(items)) {
      const item = deref(doc, rawItem);
      if (!isObject(item)) continue;
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (isObject(operation)) {
          result.push({
            section,
            key,
            method,
            operation,
            pointer: `/${section}/${pointerSegment(key)}/${method}`,
          });
        }
      }
    }
  }
  return result;
}

/** The parameters of an operation, its path item's shared ones included, dereferenced. */
export function operationParameters(
  doc: JsonObject,
  op: OperationRef,
): { param: JsonObject; pointer: string }[] {
  const itemPointer = op.pointer.slice(0, op.pointer.lastIndexOf('/'));
  const out: { param: JsonObject; pointer: string }[] = [];
  for (const base of [itemPointer, op.pointer]) {
    const list = resolvePointer(doc, `${base}/parameters`);
    if (!Array.isArray(list)) continue;
    list.forEach((raw, index) => {
      const ref =
        isObject(raw) && typeof raw.$ref === 'string' ? raw.$ref.slice(1) : `${base}/parameters/${index}`;
      const param = deref(doc, raw);
      if (isObject(param)) out.push({ param, pointer: ref });
    });
  }
  return out;
}

/** Collects the examples of a media-type object (`example` or `examples.*.value`). */
function mediaExamples(doc: JsonObject, media: JsonObject, pointer: string, where: string): ExampleRef[] {
  const out: ExampleRef[] = [];
  const schemaPointer = `${pointer}/schema`;
  if ('example' in media) out.push({ where, schemaPointer, value: media.example ?? null });
  const examples = media.examples;
  if (isObject(examples)) {
    for (const [name, raw] of Object.entries(examples)) {
      const example = deref(doc, raw);
      if (isObject(example) && 'value' in example) {
        out.push({ where: `${where} (example ${name})`, schemaPointer, value: example.value ?? null });
      }
    }
  }
  return out;
}

/** Every request, response and parameter example of every operation. */
export function listOperationExamples(doc: JsonObject): ExampleRef[] {
  const out: ExampleRef[] = [];
  for (const op of listOperations(doc)) {
    const name = String(op.operation.operationId ?? op.pointer);
    for (const { param, pointer } of operationParameters(doc, op)) {
      if ('example' in param) {
        out.push({
          where: `${name} parameter ${String(param.name)}`,
          schemaPointer: `${pointer}/schema`,
          value: param.example ?? null,
        });
      }
      if (isObject(param.examples)) {
        for (const [exampleName, raw] of Object.entries(param.examples)) {
          const example = deref(doc, raw);
          if (isObject(example) && 'value' in example) {
            out.push({
              where: `${name} parameter ${String(param.name)} (example ${exampleName})`,
              schemaPointer: `${pointer}/schema`,
              value: example.value ?? null,
            });
          }
        }
      }
    }
    for (const { media, pointer, where } of operationMedia(doc, op)) {
      out.push(...mediaExamples(doc, media, pointer, `${name} ${where}`));
    }
  }
  return out;
}

/** Every media-type object of an operation's request body and responses, with its pointer. */
export function operationMedia(
  doc: JsonObject,
  op: OperationRef,
): { media: JsonObject; pointer: string; where: string; kind: 'request' | 'response' }[] {
  const out: { media: JsonObject; pointer: string; where: string; kind: 'request' | 'response' }[] = [];
  const body = op.operation.requestBody;
  const bodyPointer =
    isObject(body) && typeof body.$ref === 'string' ? body.$ref.slice(1) : `${op.pointer}/requestBody`;
  const requestBody = deref(doc, body);
  if (isObject(requestBody) && isObject(requestBody.content)) {
    for (const [type, media] of Object.entries(requestBody.content)) {
      if (isObject(media)) {
        out.push({
          media,
          pointer: `${bodyPointer}/content/${pointerSegment(type)}`,
          where: `request ${type}`,
          kind: 'request',
        });
      }
    }
  }
  const responses = op.operation.responses;
  if (isObject(responses)) {
    for (const [status, raw] of Object.entries(responses)) {
      const pointer =
        isObject(raw) && typeof raw.$ref === 'string'
          ? raw.$ref.slice(1)
          : `${op.pointer}/responses/${status}`;
      const response = deref(doc, raw);
      if (!isObject(response) || !isObject(response.content)) continue;
      for (const [type, media] of Object.entries(response.content)) {
        if (isObject(media)) {
          out.push({
            media,
            pointer: `${pointer}/content/${pointerSegment(type)}`,
            where: `response ${status} ${type}`,
            kind: 'response',
          });
        }
      }
    }
  }
  return out;
}

/** Every schema object in the document (components and inline), with its pointer. */
export function listSchemas(doc: JsonObject): { schema: JsonObject; pointer: string }[] {
  const out: { schema: JsonObject; pointer: string }[] = [];
  const visit = (node: Json | undefined, pointer: string, isSchema: boolean): void => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) visit(child, `${pointer}/${i}`, isSchema);
      return;
    }
    if (!isObject(node)) return;
    if (isSchema) out.push({ schema: node, pointer });
    for (const [key, child] of Object.entries(node)) {
      const childPointer = `${pointer}/${pointerSegment(key)}`;
      if (isSchema) {
        if (key === 'properties' || key === 'patternProperties' || key === '$defs') {
          if (isObject(child)) {
            for (const [name, sub] of Object.entries(child))
              visit(sub, `${childPointer}/${pointerSegment(name)}`, true);
          }
        } else if (
          [
            'items',
            'not',
            'if',
            'then',
            'else',
            'additionalProperties',
            'contains',
            'propertyNames',
          ].includes(key)
        ) {
          visit(child, childPointer, true);
        } else if (['allOf', 'anyOf', 'oneOf', 'prefixItems'].includes(key)) {
          visit(child, childPointer, true);
        }
        continue;
      }
      visit(child, childPointer, key === 'schema' || (pointer === '/components/schemas' && isObject(child)));
    }
  };
  visit(doc, '', false);
  return out;
}
