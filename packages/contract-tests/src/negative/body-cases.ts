/**
 * Negative request bodies generated from a request schema: starting from a valid body, each case breaks
 * exactly one rule — a required field dropped, a field of the wrong type, out of range, too long, not in
 * its enum, breaking its pattern, an unknown field where none are allowed, or a cross-field rule. Every
 * case is confirmed invalid with Ajv before it is used, so the suite never blames a target for accepting
 * a body the spec allows.
 */

import { isObject, type Json } from '../spec/json.js';
import type { ContractSpec } from '../spec.js';
import { crossFieldCases } from './cross-field.js';
import { fieldMutations, type NegativeKind } from './field-mutations.js';
import { sampleValue } from './samples.js';
import { isObjectSchema, objectView, type PointedSchema, resolveSchema } from './schema-view.js';

type Obj = { [key: string]: Json };

/** One invalid request body. */
export interface NegativeBodyCase {
  kind: NegativeKind;
  /** The field and the rule, e.g. `body.layout.type must be one of bestFit, custom, …`. */
  description: string;
  /** The whole body to send. */
  body: Json;
}

/** Options of {@link generateBodyCases}. */
export interface BodyCaseOptions {
  /** Form-encoded bodies carry text only: values are compared as the strings they are sent as. */
  form?: boolean;
}

/** Thrown when the base body handed to the generator is not itself valid. */
export class InvalidBaseError extends Error {
  override readonly name = 'InvalidBaseError';
}

/** Generates every negative case for a request body schema, from a valid `base` body. */
export function generateBodyCases(
  spec: ContractSpec,
  schemaPointer: string,
  base: Json,
  options: BodyCaseOptions = {},
): NegativeBodyCase[] {
  const encode = (value: Json): Json => (options.form ? formValue(value) : value);
  const baseErrors = spec.validate(schemaPointer, encode(base));
  if (baseErrors) {
    throw new InvalidBaseError(`the base body is not valid for ${schemaPointer}: ${baseErrors.join('; ')}`);
  }
  const candidates: NegativeBodyCase[] = [];
  const rootSchema = resolveSchema(spec, spec.nodeAt(schemaPointer), schemaPointer);
  walk(
    { spec, schemaPointer, root: base, encode, out: candidates, form: options.form === true },
    rootSchema,
    base,
    [],
  );
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const body = encode(candidate.body);
    const key = JSON.stringify(body);
    if (seen.has(key) || key === JSON.stringify(encode(base))) return false;
    seen.add(key);
    candidate.body = body;
    // Ajv is the oracle: a "negative" case the spec accepts is dropped, never sent.
    return spec.validate(schemaPointer, body) !== null;
  });
}

function label(path: string[]): string {
  return ['body', ...path].join('.');
}

/** Returns a copy of `root` with the value at `path` replaced (or deleted when `value` is undefined). */
function replaceAt(root: Json, path: string[], value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const copy = structuredClone(root);
  let node: Json = copy;
  for (const segment of path.slice(0, -1)) {
    node = Array.isArray(node) ? (node[Number(segment)] as Json) : ((node as Obj)[segment] as Json);
  }
  const last = path[path.length - 1] as string;
  if (Array.isArray(node)) {
    if (value === undefined) node.splice(Number(last), 1);
    else node[Number(last)] = value;
  } else if (isObject(node)) {
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy;
}

/** What every level of the walk shares. */
interface WalkContext {
  spec: ContractSpec;
  /** The request body schema. */
  schemaPointer: string;
  /** The whole valid body. */
  root: Json;
  encode: (value: Json) => Json;
  out: NegativeBodyCase[];
  form: boolean;
}

function walk(ctx: WalkContext, pointed: PointedSchema, value: Json, path: string[]): void {
  const { spec, root, out } = ctx;
  // A property that is a union of an object schema and something else (`Layout | LayoutType`): walk the
  // object branch the value matches.
  const objectBranch = isObject(value) ? objectBranchFor(spec, pointed, value) : null;
  if (!objectBranch || !isObject(value)) return;
  const view = objectView(spec, objectBranch);
  const at = (next: Json): Json => replaceAt(root, path, next);

  for (const name of view.required) {
    if (!(name in value)) continue;
    const without = { ...value };
    delete without[name];
    out.push({
      kind: 'missingRequired',
      description: `${label([...path, name])} is required`,
      body: at(without),
    });
  }
  if (view.additionalPropertiesForbidden) {
    out.push({
      kind: 'unknownField',
      description: `${label(path)} allows no unknown fields`,
      body: at({ ...value, contractUnknownField: 'x' }),
    });
  }
  for (const [name, property] of view.properties) {
    let current = value[name];
    let container: Obj = value;
    if (current === undefined) {
      // Add the field only when a valid value of it keeps the whole body valid, so the mutation is the
      // only thing wrong.
      const sample = sampleValue(spec, property);
      if (sample === undefined) continue;
      const withSample = { ...value, [name]: sample };
      if (spec.validate(ctx.schemaPointer, ctx.encode(replaceAt(root, path, withSample))) !== null) continue;
      current = sample;
      container = withSample;
    }
    for (const mutation of fieldMutations(property.schema, current)) {
      if (ctx.form && mutation.kind === 'wrongType') continue; // a form field is always text
      out.push({
        kind: mutation.kind,
        description: `${label([...path, name])} ${mutation.rule}`,
        body: at({ ...container, [name]: mutation.value }),
      });
    }
    if (!ctx.form) {
      const nested = value[name];
      if (isObject(nested)) walk(ctx, property, nested, [...path, name]);
      if (Array.isArray(nested) && isObject(nested[0])) {
        const items = isObject(property.schema.items)
          ? resolveSchema(spec, property.schema.items, `${property.pointer}/items`)
          : null;
        if (items) walk(ctx, items, nested[0], [...path, name, '0']);
      }
    }
  }
  for (const rule of crossFieldCases(spec, view, value)) {
    out.push({ kind: 'crossField', description: `${label(path)}: ${rule.rule}`, body: at(rule.value) });
  }
}

function objectBranchFor(spec: ContractSpec, pointed: PointedSchema, value: Obj): PointedSchema | null {
  if (isObjectSchema(spec, pointed)) return pointed;
  for (const kind of ['oneOf', 'anyOf'] as const) {
    const list = pointed.schema[kind];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const branch = resolveSchema(spec, list[i] ?? {}, `${pointed.pointer}/${kind}/${i}`);
      if (isObjectSchema(spec, branch) && spec.validate(branch.pointer, value) === null) return branch;
    }
  }
  return null;
}

/** A form body as it arrives: every top-level value as text. */
function formValue(value: Json): Json {
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v),
    ]),
  );
}
