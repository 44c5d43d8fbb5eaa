/**
 * Values taken from the spec itself: an operation's request-body example and plausible path parameters.
 * Used where a test needs *a* well-formed request (authentication and negative checks), not a
 * particular resource.
 */
import { sampleValue } from '../negative/samples.js';
import { resolveSchema } from '../negative/schema-view.js';
import { isObject, type Json } from '../spec/json.js';
import type { MediaTypeSpec, OperationSpec } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';

/** The first request media type of an operation, or null when it takes no body. */
export function requestMedia(operation: OperationSpec): MediaTypeSpec | null {
  return operation.requestBody?.content[0] ?? null;
}

/** The operation's request-body example (`example`, else the first of `examples`), else a sample. */
export function exampleBody(spec: ContractSpec, operation: OperationSpec): Json | undefined {
  const media = requestMedia(operation);
  if (!media) return undefined;
  const node = spec.nodeAt(media.pointer);
  if (isObject(node)) {
    if (node.example !== undefined) return node.example;
    if (isObject(node.examples)) {
      for (const raw of Object.values(node.examples)) {
        const example = spec.resolve(raw);
        if ('value' in example && example.value !== undefined) return example.value;
      }
    }
  }
  if (!media.schemaPointer) return undefined;
  return sampleValue(spec, resolveSchema(spec, spec.nodeAt(media.schemaPointer), media.schemaPointer));
}

/**
 * Plausible values of an operation's path parameters (other than `projectId`): the parameter's example,
 * else a sample of its schema. They name nothing that exists.
 */
export function placeholderPathParams(spec: ContractSpec, operation: OperationSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'path' || parameter.name === 'projectId') continue;
    const node = spec.resolve(
      spec.nodeAt(parameter.schemaPointer?.replace(/\/schema$/, '') ?? operation.pointer),
    );
    let value: Json | undefined = node.example;
    if (value === undefined && parameter.schemaPointer) {
      value = sampleValue(
        spec,
        resolveSchema(spec, spec.nodeAt(parameter.schemaPointer), parameter.schemaPointer),
      );
    }
    out[parameter.name] = value === undefined || value === null ? 'contract-placeholder' : String(value);
  }
  return out;
}
