/**
 * The flat operation index of a bundled OpenAPI document: for each operationId, its method, path,
 * parameters, request media types, documented responses and security alternatives. Everything the suite
 * generates or checks is derived from this index, so a change to the spec changes the suite.
 */
import { deref, escapePointer, isObject, type Json, type JsonObject } from './json.js';

/** The HTTP methods an OpenAPI path item may define. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** An HTTP method in OpenAPI's lowercase spelling. */
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** Where a parameter is read from. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** One declared parameter. */
export interface ParameterSpec {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** JSON Pointer of its schema, or null when it declares none. */
  schemaPointer: string | null;
}

/** One media type of a request body or response, with the pointer of its schema. */
export interface MediaTypeSpec {
  /** Lowercase, without parameters (`application/json`). */
  mediaType: string;
  schemaPointer: string | null;
  /** JSON Pointer of the media type object (its `example`/`examples` live there). */
  pointer: string;
}

/** A declared request body. */
export interface RequestBodySpec {
  required: boolean;
  content: MediaTypeSpec[];
}

/** One documented response. */
export interface ResponseSpec {
  /** `'200'`, `'4XX'` or `'default'`, as written in the spec. */
  status: string;
  content: MediaTypeSpec[];
}

/** Scheme names that must all be satisfied; an empty list means anonymous access. */
export type SecurityRequirement = readonly string[];

/** Whether an entry lives under `paths` (served by the target) or `webhooks` (sent by the target). */
export type OperationKind = 'path' | 'webhook';

/** One operation of the spec. */
export interface OperationSpec {
  operationId: string;
  kind: OperationKind;
  method: HttpMethod;
  /** The path template (`/v2/project/{projectId}/archive`) or, for a webhook, its name. */
  path: string;
  /** JSON Pointer of the operation object. */
  pointer: string;
  tags: string[];
  parameters: ParameterSpec[];
  requestBody: RequestBodySpec | null;
  responses: ResponseSpec[];
  /** Alternatives; any one satisfied authenticates. `[[]]` means anonymous access. */
  security: SecurityRequirement[];
}

const asStrings = (value: Json | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function parseSecurity(value: Json | undefined): SecurityRequirement[] | null {
  if (!Array.isArray(value)) return null;
  // `security: []` clears the document-level requirement: the operation is anonymous.
  if (value.length === 0) return [[]];
  return value.filter(isObject).map((requirement) => Object.keys(requirement));
}

function parseParameters(doc: JsonObject, list: Json | undefined, basePointer: string): ParameterSpec[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry, index) => {
    const { node, pointer } = deref(doc, { node: entry, pointer: `${basePointer}/${index}` });
    const location = String(node.in);
    if (typeof node.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(location)) {
      throw new Error(`Parameter at ${pointer} needs a name and an "in" of path, query, header or cookie`);
    }
    return {
      name: node.name,
      in: location as ParameterLocation,
      required: node.required === true || location === 'path',
      schemaPointer: isObject(node.schema) ? `${pointer}/schema` : null,
    };
  });
}

function parseContent(content: Json | undefined, pointer: string): MediaTypeSpec[] {
  if (!isObject(content)) return [];
  return Object.entries(content).map(([mediaType, media]) => {
    const mediaPointer = `${pointer}/content/${escapePointer(mediaType)}`;
    return {
      mediaType: mediaType.toLowerCase(),
      schemaPointer: isObject(media) && isObject(media.schema) ? `${mediaPointer}/schema` : null,
      pointer: mediaPointer,
    };
  });
}

function parseRequestBody(
  doc: JsonObject,
  value: Json | undefined,
  basePointer: string,
): RequestBodySpec | null {
  if (value === undefined) return null;
  const { node, pointer } = deref(doc, { node: value, pointer: basePointer });
  return { required: node.required === true, content: parseContent(node.content, pointer) };
}

function parseResponses(doc: JsonObject, value: Json | undefined, basePointer: string): ResponseSpec[] {
  if (!isObject(value)) return [];
  return Object.entries(value).map(([status, raw]) => {
    const { node, pointer } = deref(doc, { node: raw, pointer: `${basePointer}/${escapePointer(status)}` });
    return { status, content: parseContent(node.content, pointer) };
  });
}

function parseSection(
  doc: JsonObject,
  kind: OperationKind,
  documentSecurity: SecurityRequirement[],
): OperationSpec[] {
  const section = kind === 'path' ? doc.paths : doc.webhooks;
  if (!isObject(section)) return [];
  const operations: OperationSpec[] = [];
  for (const [path, rawItem] of Object.entries(section)) {
    const itemPointer = `/${kind === 'path' ? 'paths' : 'webhooks'}/${escapePointer(path)}`;
    const { node: item, pointer: resolvedItem } = deref(doc, { node: rawItem, pointer: itemPointer });
    const shared = parseParameters(doc, item.parameters, `${resolvedItem}/parameters`);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const pointer = `${resolvedItem}/${method}`;
      if (typeof operation.operationId !== 'string') {
        throw new Error(`Operation ${method.toUpperCase()} ${path} has no operationId`);
      }
      const own = parseParameters(doc, operation.parameters, `${pointer}/parameters`);
      operations.push({
        operationId: operation.operationId,
        kind,
        method,
        path,
        pointer,
        tags: asStrings(operation.tags),
        // The operation's own parameters win over the path item's on a name clash, as OpenAPI specifies.
        parameters: [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own],
        requestBody: parseRequestBody(doc, operation.requestBody, `${pointer}/requestBody`),
        responses: parseResponses(doc, operation.responses, `${pointer}/responses`),
        security: parseSecurity(operation.security) ?? documentSecurity,
      });
    }
  }
  return operations;
}

/** Lists every operation of the document: `paths` first, then `webhooks`. */
export function listOperations(doc: JsonObject): OperationSpec[] {
  const documentSecurity = parseSecurity(doc.security) ?? [[]];
  const operations = [...parseSection(doc, 'path', documentSecurity), ...parseSection(doc, 'webhook', [[]])];
  const seen = new Set<string>();
  for (const operation of operations) {
    if (seen.has(operation.operationId))
      throw new Error(`operationId ${operation.operationId} is used twice`);
    seen.add(operation.operationId);
  }
  return operations;
}

/** The documented response for a status: the exact code, then its range (`4XX`), then `default`. */
export function responseFor(operation: OperationSpec, status: number): ResponseSpec | null {
  const text = String(status);
  return (
    operation.responses.find((r) => r.status === text) ??
    operation.responses.find((r) => r.status.toUpperCase() === `${text[0]}XX`) ??
    operation.responses.find((r) => r.status === 'default') ??
    null
  );
}

/** True when the operation is anonymous (no security requirement, or one that is empty). */
export function isAnonymous(operation: OperationSpec): boolean {
  return operation.security.some((requirement) => requirement.length === 0);
}
