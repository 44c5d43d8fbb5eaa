/**
 * Cross-field negative cases: values that satisfy every field on its own but break a rule between
 * fields — `if/then/else`, `not` (mutually exclusive fields), `anyOf`/`oneOf` of `required` (at least or
 * exactly one of) and `dependentRequired`. Made by "satisfying" or "breaking" the rule's subschemas on a
 * copy of a valid object; Ajv then confirms the result really is invalid.
 */

import { isObject, type Json, type JsonObject } from '../spec/json.js';
import type { ContractSpec } from '../spec.js';
import { sampleValue } from './samples.js';
import type { ObjectView, PointedSchema } from './schema-view.js';

type Obj = { [key: string]: Json };

/** One cross-field case: the whole object after the change, and the rule it breaks. */
export interface CrossFieldCase {
  rule: string;
  value: Obj;
}

const describe = (schema: JsonObject, fallback: string): string =>
  typeof schema.description === 'string' ? (schema.description.split('\n')[0] ?? fallback) : fallback;

/** Every cross-field case for one object value. */
export function crossFieldCases(spec: ContractSpec, view: ObjectView, value: Obj): CrossFieldCase[] {
  const out: CrossFieldCase[] = [];
  const push = (rule: string, next: Obj | null): void => {
    if (next) out.push({ rule, value: next });
  };
  for (const conditional of view.conditionals) {
    const ruleText = conditional.consequence
      ? describe(conditional.consequence.schema, `rule at ${conditional.consequence.pointer}`)
      : `rule at ${conditional.condition.pointer}`;
    if (conditional.consequence) {
      const ifHolds = satisfy(spec, view, conditional.condition.schema, structuredClone(value));
      push(ruleText, ifHolds && breakSchema(spec, view, conditional.consequence.schema, ifHolds));
    }
    if (conditional.alternative) {
      const ifFails = breakSchema(spec, view, conditional.condition.schema, structuredClone(value));
      push(
        describe(conditional.alternative.schema, `rule at ${conditional.alternative.pointer}`),
        ifFails && breakSchema(spec, view, conditional.alternative.schema, ifFails),
      );
    }
  }
  for (const not of view.nots) {
    push(
      describe(not.schema, `rule at ${not.pointer}`),
      satisfy(spec, view, not.schema, structuredClone(value)),
    );
  }
  for (const { kind, branches } of view.alternatives) {
    if (kind === 'anyOf') {
      // Break every alternative: none of the "at least one of" holds.
      let next: Obj | null = structuredClone(value);
      for (const branch of branches) next = next && breakSchema(spec, view, branch.schema, next);
      push(`at least one of ${describeBranches(branches)}`, next);
    } else if (branches.length > 1) {
      // Satisfy two alternatives: "exactly one of" no longer holds.
      const first = branches[0] as PointedSchema;
      const second = branches[1] as PointedSchema;
      const both = satisfy(spec, view, first.schema, structuredClone(value));
      push(`exactly one of ${describeBranches(branches)}`, both && satisfy(spec, view, second.schema, both));
    }
  }
  for (const [name, dependents] of view.dependentRequired) {
    const next = satisfy(spec, view, { required: [name] }, structuredClone(value));
    if (next) for (const dependent of dependents) delete next[dependent];
    push(`${name} requires ${dependents.join(', ')}`, next);
  }
  return out;
}

function describeBranches(branches: PointedSchema[]): string {
  return branches.map((b) => describe(b.schema, b.pointer)).join(' | ');
}

/** A valid value for property `name`, or null. */
function sampleFor(spec: ContractSpec, view: ObjectView, name: string): Json | null {
  const property = view.properties.get(name);
  if (!property) return null;
  const value = sampleValue(spec, property);
  return value === undefined ? null : value;
}

/** Changes `value` so it matches `schema` (as far as the schema's simple keywords go), or returns null. */
export function satisfy(spec: ContractSpec, view: ObjectView, schema: JsonObject, value: Obj): Obj | null {
  if (Array.isArray(schema.required)) {
    for (const name of schema.required) {
      if (typeof name !== 'string' || name in value) continue;
      const sample = sampleFor(spec, view, name);
      if (sample === null) return null;
      value[name] = sample;
    }
  }
  if (isObject(schema.properties)) {
    for (const [name, rule] of Object.entries(schema.properties)) {
      if (!isObject(rule)) continue;
      if ('const' in rule) value[name] = rule.const ?? null;
      else if (
        Array.isArray(rule.enum) &&
        !rule.enum.some((v) => JSON.stringify(v) === JSON.stringify(value[name]))
      ) {
        if (!(name in value) && !(Array.isArray(schema.required) && schema.required.includes(name))) continue;
        value[name] = rule.enum[0] ?? null;
      } else if (typeof rule.minItems === 'number' && Array.isArray(value[name])) {
        const list = value[name] as Json[];
        const item = list[0] ?? null;
        while (list.length < rule.minItems && item !== null) list.push(structuredClone(item));
        if (list.length < rule.minItems) return null;
      }
    }
  }
  for (const kind of ['anyOf', 'oneOf'] as const) {
    const list = schema[kind];
    if (Array.isArray(list) && list.length > 0 && isObject(list[0])) {
      const next = satisfy(spec, view, list[0], value);
      if (!next) return null;
    }
  }
  if (Array.isArray(schema.allOf)) {
    for (const member of schema.allOf)
      if (isObject(member) && !satisfy(spec, view, member, value)) return null;
  }
  if (isObject(schema.not)) return breakSchema(spec, view, schema.not, value);
  return value;
}

/** Changes `value` so it no longer matches `schema`, keeping each field valid on its own; or null. */
export function breakSchema(
  spec: ContractSpec,
  view: ObjectView,
  schema: JsonObject,
  value: Obj,
): Obj | null {
  if (isObject(schema.not)) return satisfy(spec, view, schema.not, value);
  if (Array.isArray(schema.required) && schema.required.length > 0) {
    for (const name of schema.required) if (typeof name === 'string') delete value[name];
    return value;
  }
  if (isObject(schema.properties)) {
    for (const [name, rule] of Object.entries(schema.properties)) {
      if (!isObject(rule)) continue;
      const allowed = 'const' in rule ? [rule.const] : Array.isArray(rule.enum) ? rule.enum : null;
      if (allowed) {
        // Another value the property's own schema accepts, outside what this rule allows.
        const own = view.properties.get(name)?.schema;
        const choices = own && Array.isArray(own.enum) ? own.enum : [];
        const other = choices.find((c) => !allowed.some((a) => JSON.stringify(a) === JSON.stringify(c)));
        if (other === undefined) return null;
        value[name] = other;
        return value;
      }
      if (typeof rule.minItems === 'number' && Array.isArray(value[name])) {
        value[name] = [];
        return value;
      }
    }
  }
  for (const kind of ['anyOf', 'oneOf'] as const) {
    const list = schema[kind];
    if (Array.isArray(list)) {
      let next: Obj | null = value;
      for (const branch of list) if (isObject(branch)) next = next && breakSchema(spec, view, branch, next);
      return next;
    }
  }
  return null;
}
