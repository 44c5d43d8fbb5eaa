/**
 * A flattened view of an object schema: its properties (each `$ref`-resolved), required names, and the
 * cross-field rules (`if/then/else`, `not`, `anyOf`/`oneOf` of `required`, `dependentRequired`) gathered
 * from the schema and its `allOf` members, each with the JSON Pointer it lives at.
 */

import { escapePointer, isObject, type Json, type JsonObject } from '../spec/json.js';
import type { ContractSpec } from '../spec.js';

/** A schema with the pointer it was found at. */
export interface PointedSchema {
  schema: JsonObject;
  pointer: string;
}

/** One `if/then/else` rule (named so the object is not mistaken for a thenable). */
export interface Conditional {
  condition: PointedSchema;
  consequence: PointedSchema | null;
  alternative: PointedSchema | null;
}

/** The flattened view of an object schema. */
export interface ObjectView {
  properties: Map<string, PointedSchema>;
  required: Set<string>;
  additionalPropertiesForbidden: boolean;
  conditionals: Conditional[];
  /** `not` schemas: the value must not match any of them. */
  nots: PointedSchema[];
  /** `anyOf`/`oneOf` lists of alternatives (at least one, or exactly one, must hold). */
  alternatives: { kind: 'anyOf' | 'oneOf'; branches: PointedSchema[] }[];
  dependentRequired: Map<string, string[]>;
}

/** Resolves `$ref`s of a schema found at `pointer`, keeping the pointer of the resolved node. */
export function resolveSchema(spec: ContractSpec, schema: Json, pointer: string): PointedSchema {
  let node = schema;
  let at = pointer;
  for (let hops = 0; hops < 32 && isObject(node) && typeof node.$ref === 'string'; hops++) {
    at = node.$ref.slice(1);
    node = spec.nodeAt(at);
  }
  if (!isObject(node)) return { schema: {}, pointer: at };
  return { schema: node, pointer: at };
}

/** The JSON types a schema allows (`type` as a string or a list), or null when it does not say. */
export function typesOf(schema: JsonObject): string[] | null {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  return null;
}

/** True when a schema (or one of its `allOf` members) describes an object. */
export function isObjectSchema(spec: ContractSpec, pointed: PointedSchema): boolean {
  const { schema } = pointed;
  if (typesOf(schema)?.includes('object') || isObject(schema.properties)) return true;
  return (
    Array.isArray(schema.allOf) &&
    schema.allOf.some((m, i) => isObjectSchema(spec, resolveSchema(spec, m, `${pointed.pointer}/allOf/${i}`)))
  );
}

/** Flattens an object schema and its `allOf` members into one {@link ObjectView}. */
export function objectView(spec: ContractSpec, pointed: PointedSchema): ObjectView {
  const view: ObjectView = {
    properties: new Map(),
    required: new Set(),
    additionalPropertiesForbidden: false,
    conditionals: [],
    nots: [],
    alternatives: [],
    dependentRequired: new Map(),
  };
  const visit = ({ schema, pointer }: PointedSchema): void => {
    if (isObject(schema.properties)) {
      for (const [name, raw] of Object.entries(schema.properties)) {
        if (!view.properties.has(name)) {
          view.properties.set(name, resolveSchema(spec, raw, `${pointer}/properties/${escapePointer(name)}`));
        }
      }
    }
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) if (typeof name === 'string') view.required.add(name);
    }
    if (schema.additionalProperties === false || schema.unevaluatedProperties === false) {
      view.additionalPropertiesForbidden = true;
    }
    if (isObject(schema.if)) {
      view.conditionals.push({
        condition: resolveSchema(spec, schema.if, `${pointer}/if`),
        consequence: isObject(schema.then) ? resolveSchema(spec, schema.then, `${pointer}/then`) : null,
        alternative: isObject(schema.else) ? resolveSchema(spec, schema.else, `${pointer}/else`) : null,
      });
    }
    if (isObject(schema.not)) view.nots.push(resolveSchema(spec, schema.not, `${pointer}/not`));
    for (const kind of ['anyOf', 'oneOf'] as const) {
      const list = schema[kind];
      if (Array.isArray(list)) {
        view.alternatives.push({
          kind,
          branches: list.map((b, i) => resolveSchema(spec, b, `${pointer}/${kind}/${i}`)),
        });
      }
    }
    if (isObject(schema.dependentRequired)) {
      for (const [name, deps] of Object.entries(schema.dependentRequired)) {
        if (Array.isArray(deps))
          view.dependentRequired.set(
            name,
            deps.filter((d): d is string => typeof d === 'string'),
          );
      }
    }
    if (Array.isArray(schema.allOf)) {
      schema.allOf.forEach((member, i) => {
        visit(resolveSchema(spec, member, `${pointer}/allOf/${i}`));
      });
    }
  };
  visit(pointed);
  return view;
}
