/**
 * Valid sample values for a schema, used to fill in a field a mutation needs present (a cross-field rule
 * that only bites when two fields are set). Taken from the spec's own `const`, `enum`, `default` and
 * examples first, synthesised from the type and limits otherwise.
 */

import { isObject, type Json } from '../spec/json.js';
import type { ContractSpec } from '../spec.js';
import { isObjectSchema, objectView, type PointedSchema, resolveSchema, typesOf } from './schema-view.js';

const FORMAT_SAMPLES: Record<string, string> = {
  uri: 'https://example.com/contract',
  url: 'https://example.com/contract',
  email: 'contract@example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  ipv4: '192.0.2.10',
  hostname: 'example.com',
};

/** A value the schema accepts, or undefined when none can be found or made. Verified with Ajv. */
export function sampleValue(spec: ContractSpec, pointed: PointedSchema, depth = 0): Json | undefined {
  const candidate = rawSample(spec, pointed, depth);
  if (candidate === undefined) return undefined;
  return spec.validate(pointed.pointer, candidate) === null ? candidate : undefined;
}

function rawSample(spec: ContractSpec, { schema, pointer }: PointedSchema, depth: number): Json | undefined {
  if (depth > 6) return undefined;
  if ('const' in schema) return schema.const ?? null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] ?? null;
  if ('default' in schema && schema.default !== undefined) return schema.default;
  if ('example' in schema && schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0] ?? null;
  for (const kind of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[kind];
    if (!Array.isArray(list) || typesOf(schema)) continue;
    for (let i = 0; i < list.length; i++) {
      const value = sampleValue(
        spec,
        resolveSchema(spec, list[i] ?? {}, `${pointer}/${kind}/${i}`),
        depth + 1,
      );
      if (value !== undefined) return value;
    }
  }
  const types = typesOf(schema) ?? (isObjectSchema(spec, { schema, pointer }) ? ['object'] : []);
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'string': {
      if (typeof schema.format === 'string' && FORMAT_SAMPLES[schema.format])
        return FORMAT_SAMPLES[schema.format];
      const min = typeof schema.minLength === 'number' ? schema.minLength : 1;
      return 'a'.repeat(Math.max(min, 1));
    }
    case 'integer':
    case 'number':
      if (typeof schema.minimum === 'number') return schema.minimum;
      if (typeof schema.maximum === 'number') return Math.min(schema.maximum, 1);
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      if (min === 0) return [];
      const item = isObject(schema.items)
        ? sampleValue(spec, resolveSchema(spec, schema.items, `${pointer}/items`), depth + 1)
        : undefined;
      return item === undefined ? undefined : Array.from({ length: min }, () => item);
    }
    case 'object': {
      const view = objectView(spec, { schema, pointer });
      const value: { [key: string]: Json } = {};
      for (const name of view.required) {
        const property = view.properties.get(name);
        const sample = property ? sampleValue(spec, property, depth + 1) : 'a';
        if (sample === undefined) return undefined;
        value[name] = sample;
      }
      return value;
    }
    default:
      return undefined;
  }
}
