/**
 * Negative query and path parameters generated from each parameter's schema: wrong type (`count=abc`),
 * out of range (`count=1001`), not in the enum, breaking the pattern, too long. Values go on the wire as
 * text; Ajv confirms each typed value really breaks the schema before it is used.
 */

import type { Json } from '../spec/json.js';
import type { OperationSpec, ParameterLocation } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';
import { fieldMutations, type NegativeKind } from './field-mutations.js';
import { resolveSchema, typesOf } from './schema-view.js';

/** One invalid parameter value. */
export interface NegativeParameterCase {
  kind: NegativeKind;
  location: Extract<ParameterLocation, 'query' | 'path'>;
  name: string;
  /** The value as sent. */
  value: string;
  /** E.g. `query.count must be at most 1000`. */
  description: string;
}

/** Every negative case of an operation's query and path parameters, given valid `current` values. */
export function generateParameterCases(
  spec: ContractSpec,
  operation: OperationSpec,
  current: Record<string, string> = {},
): NegativeParameterCase[] {
  const out: NegativeParameterCase[] = [];
  for (const parameter of operation.parameters) {
    if ((parameter.in !== 'query' && parameter.in !== 'path') || !parameter.schemaPointer) continue;
    // The project is chosen by the credentials; a bad project ID is an authorisation matter (403).
    if (parameter.name === 'projectId') continue;
    const { schema } = resolveSchema(spec, spec.nodeAt(parameter.schemaPointer), parameter.schemaPointer);
    const textual = typesOf(schema)?.includes('string') ?? true;
    for (const mutation of fieldMutations(schema, current[parameter.name])) {
      if (!isSendable(mutation.value)) continue;
      // On the wire every parameter is text: a number is a perfectly good value of a string parameter.
      if (mutation.kind === 'wrongType' && textual) continue;
      // An empty path segment changes which route matches rather than the parameter's value.
      if (parameter.in === 'path' && mutation.value === '') continue;
      if (spec.validate(parameter.schemaPointer, mutation.value) === null) continue;
      out.push({
        kind: mutation.kind,
        location: parameter.in,
        name: parameter.name,
        value: String(mutation.value),
        description: `${parameter.in}.${parameter.name} ${mutation.rule}`,
      });
    }
  }
  return out;
}

/** Scalars survive being sent as text; arrays and objects would be meaningless in a query string. */
function isSendable(value: Json): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
