/**
 * Walks the bundled spec into a flat list of operations: method, path, parameters, request body, declared
 * responses and security requirements. The router registers one Fastify route per entry.
 */
import { deref, escapePointer, isObject, type Json, type OpenApiDocument } from './document.js';

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
  /** JSON Pointer of its schema in the document, or null when it declares none. */
  schemaPointer: string | null;
}

/** One media type a request body may be sent as. */
export interface MediaTypeSpec {
  /** Lowercase, without parameters (`application/json`). */
  mediaType: string;
  schemaPointer: string | null;
}

/** A declared request body. */
export interface RequestBodySpec {
  required: boolean;
  content: MediaTypeSpec[];
}

/**
 * One security requirement: the scheme names that must all be satisfied. An empty list means "no
 * authentication" (`security: [{}]` or `security: []`).
 */
export type SecurityRequirement = readonly string[];

/** One operation of the spec. */
export interface OperationSpec {
  operationId: string;
  method: HttpMethod;
  /** The OpenAPI path template (`/v2/project/{projectId}`). */
  path: string;
  /** The Fastify route (`/v2/project/:projectId`). */
  routePath: string;
  /** JSON Pointer of the operation object. */
  pointer: string;
  tags: string[];
  parameters: ParameterSpec[];
  requestBody: RequestBodySpec | null;
  /** The declared response status codes (`'200'`, `'4XX'`, `'default'`). */
  responseStatuses: string[];
  /** Alternatives; any one satisfied authenticates. Empty means anonymous access. */
  security: SecurityRequirement[];
}

/** Turns `{name}` path templates into Fastify's `:name` syntax. */
export function toRoutePath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

const asStrings = (value: Json | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function parseSecurity(value: Json | undefined): SecurityRequirement[] | null {
  if (!Array.isArray(value)) return null;
  // `security: []` clears the document-level requirement: the operation is anonymous.
  if (value.length === 0) return [[]];
  return value.filter(isObject).map((requirement) => Object.keys(requirement));
}

function parseParameters(doc: OpenApiDocument, list: Json | undefined, basePointer: string): ParameterSpec[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry, index) => {
    const { node, pointer } = deref(doc, { node: entry, pointer: `${basePointer}/${index}` });
    const name = node.name;
    const location = node.in;
    if (typeof name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(String(location))) {
      throw new Error(`Parameter at ${pointer} needs a name and an "in" of path, query, header or cookie`);
    }
    return {
      name,
      in: location as ParameterLocation,
      required: node.required === true || location === 'path',
      schemaPointer: isObject(node.schema) ? `${pointer}/schema` : null,
    };
  });
}

function parseRequestBody(
  doc: OpenApiDocument,
  value: Json | undefined,
  basePointer: string,
): RequestBodySpec | null {
  if (value === undefined) return null;
  const { node, pointer } = deref(doc, { node: value, pointer: basePointer });
  const content = isObject(node.content) ? node.content : {};
  return {
    required: node.required === true,
    content: Object.entries(content).map(([mediaType, media]) => ({
      mediaType: mediaType.toLowerCase(),
      schemaPointer:
        isObject(media) && isObject(media.schema)
          ? `${pointer}/content/${escapePointer(mediaType)}/schema`
          : null,
    })),
  };
}

/**
 * Lists every operation of the document. Path-level parameters are merged into each operation's own
 * (the operation's win on a name clash, as OpenAPI specifies).
 */
export function listOperations(doc: OpenApiDocument): OperationSpec[] {
  const documentSecurity = parseSecurity(doc.security) ?? [[]];
  const operations: OperationSpec[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const itemPointer = `/paths/${escapePointer(path)}`;
    const { node: item, pointer: resolvedItemPointer } = deref(doc, { node: rawItem, pointer: itemPointer });
    const shared = parseParameters(doc, item.parameters, `${resolvedItemPointer}/parameters`);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const pointer = `${resolvedItemPointer}/${method}`;
      const operationId = operation.operationId;
      if (typeof operationId !== 'string')
        throw new Error(`Operation ${method.toUpperCase()} ${path} has no operationId`);
      const own = parseParameters(doc, operation.parameters, `${pointer}/parameters`);
      const parameters = [
        ...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)),
        ...own,
      ];
      operations.push({
        operationId,
        method,
        path,
        routePath: toRoutePath(path),
        pointer,
        tags: asStrings(operation.tags),
        parameters,
        requestBody: parseRequestBody(doc, operation.requestBody, `${pointer}/requestBody`),
        responseStatuses: isObject(operation.responses) ? Object.keys(operation.responses) : [],
        security: parseSecurity(operation.security) ?? documentSecurity,
      });
    }
  }
  return operations;
}

/** True when the operation declares the given status (exactly, or through a range such as `4XX`). */
export function declaresStatus(operation: OperationSpec, status: number): boolean {
  const text = String(status);
  return operation.responseStatuses.some((s) => s === text || s.toUpperCase() === `${text[0]}XX`);
}
