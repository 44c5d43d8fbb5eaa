/**
 * Reads the bundled API spec (`openapi/generated/parley.json`, from `pnpm generate`) and lists its
 * operations and webhooks the way the docs need them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from './paths.js';

/** An operation (or webhook) of the spec. */
export interface SpecOperation {
  operationId: string;
  /** Lowercase HTTP method. */
  method: string;
  /** The path template for operations; the webhook's name for webhooks. */
  path: string;
  summary: string;
  description: string;
  /** The first tag (the API reference groups by it). */
  tag: string;
  /** The names of the security schemes that may authenticate it; empty for anonymous operations. */
  security: string[];
  /** The path parameters, in path order. */
  pathParameters: string[];
  kind: 'operation' | 'webhook';
}

/** The parts of the bundled document the docs read. */
export interface SpecDocument {
  info: { title: string; version: string };
  tags?: { name: string }[];
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, unknown>>;
  webhooks?: Record<string, Record<string, unknown>>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);

/** The bundled spec of the `@parley/openapi` package (its `./parley.json` export). */
export function specFile(): string {
  return join(packageDir('@parley/openapi'), 'generated', 'parley.json');
}

/** Loads the bundled spec. */
export function loadSpec(file: string = specFile()): SpecDocument {
  return JSON.parse(readFileSync(file, 'utf8')) as SpecDocument;
}

interface RawOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
}

function collect(
  document: SpecDocument,
  entries: Record<string, Record<string, unknown>>,
  kind: SpecOperation['kind'],
): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(entries)) {
    for (const [method, value] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const raw = value as RawOperation;
      if (!raw.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      const security = raw.security ?? document.security ?? [];
      operations.push({
        operationId: raw.operationId,
        method,
        path,
        summary: raw.summary ?? raw.operationId,
        description: raw.description ?? '',
        tag: raw.tags?.[0] ?? 'Other',
        security: security.flatMap((requirement) => Object.keys(requirement)),
        pathParameters: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? ''),
        kind,
      });
    }
  }
  return operations;
}

/** Every operation of the spec, in document order. */
export function listOperations(document: SpecDocument): SpecOperation[] {
  return collect(document, document.paths, 'operation');
}

/** Every webhook of the spec, in document order. */
export function listWebhooks(document: SpecDocument): SpecOperation[] {
  return collect(document, document.webhooks ?? {}, 'webhook');
}

/** The tag names in the document's order, then any tag only operations use. */
export function tagOrder(document: SpecDocument, operations: readonly SpecOperation[]): string[] {
  const order = (document.tags ?? []).map((tag) => tag.name);
  for (const operation of operations) if (!order.includes(operation.tag)) order.push(operation.tag);
  return order;
}
