/**
 * Invalid values for one field, derived from the field's own constraints: wrong type, outside
 * `minimum`/`maximum`, too short or long, not in the `enum`, breaking the `pattern` or `format`, too few
 * or too many items. Each comes with the rule it breaks, for the report.
 */
import { isObject, type Json, type JsonObject } from '../spec/json.js';
import { typesOf } from './schema-view.js';

/** A rule family a negative case breaks. */
export type NegativeKind =
  | 'missingRequired'
  | 'wrongType'
  | 'belowMinimum'
  | 'aboveMaximum'
  | 'tooShort'
  | 'tooLong'
  | 'badEnum'
  | 'patternViolation'
  | 'badFormat'
  | 'tooFewItems'
  | 'tooManyItems'
  | 'unknownField'
  | 'crossField';

/** One invalid value for a field. */
export interface FieldMutation {
  kind: NegativeKind;
  /** The rule, e.g. `must be at most 1000`. */
  rule: string;
  value: Json;
}

/** Strings that break most identifier patterns, tried in order. */
const PATTERN_BREAKERS = ['has spaces', 'semi;colon', '<angle>', 'ünïcödé', '!', '#', '', '\n'];
/** Values of each JSON type, for wrong-type mutations. */
const TYPE_SAMPLES: [string, Json][] = [
  ['string', 'contract-wrong-type'],
  ['integer', 12345],
  ['boolean', true],
  ['array', ['contract']],
  ['object', { contract: 'wrong-type' }],
];

/** Every invalid value the field's schema makes obvious. `current` is a valid value when known. */
export function fieldMutations(schema: JsonObject, current: Json | undefined): FieldMutation[] {
  const out: FieldMutation[] = [];
  const types = typesOf(schema);
  if (types) {
    const allowed = new Set(types);
    if (allowed.has('number')) allowed.add('integer');
    const wrong = TYPE_SAMPLES.find(
      ([type]) => !allowed.has(type) && !(type === 'integer' && allowed.has('number')),
    );
    if (wrong) out.push({ kind: 'wrongType', rule: `must be ${types.join(' or ')}`, value: wrong[1] });
  }
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) {
    out.push({
      kind: 'badEnum',
      rule: `must be one of ${schema.enum.join(', ')}`,
      value: 'contract-not-in-enum',
    });
  }
  if (typeof schema.const === 'string') {
    out.push({ kind: 'badEnum', rule: `must be ${schema.const}`, value: `${schema.const}-contract` });
  }
  const integer = types?.includes('integer') ?? false;
  const step = integer ? 1 : 0.5;
  if (typeof schema.minimum === 'number') {
    out.push({
      kind: 'belowMinimum',
      rule: `must be at least ${schema.minimum}`,
      value: schema.minimum - step,
    });
  }
  if (typeof schema.exclusiveMinimum === 'number') {
    out.push({
      kind: 'belowMinimum',
      rule: `must be above ${schema.exclusiveMinimum}`,
      value: schema.exclusiveMinimum,
    });
  }
  if (typeof schema.maximum === 'number') {
    out.push({
      kind: 'aboveMaximum',
      rule: `must be at most ${schema.maximum}`,
      value: schema.maximum + step,
    });
  }
  if (typeof schema.exclusiveMaximum === 'number') {
    out.push({
      kind: 'aboveMaximum',
      rule: `must be below ${schema.exclusiveMaximum}`,
      value: schema.exclusiveMaximum,
    });
  }
  if (typeof schema.minLength === 'number' && schema.minLength > 0) {
    out.push({
      kind: 'tooShort',
      rule: `must be at least ${schema.minLength} characters`,
      value: 'a'.repeat(schema.minLength - 1),
    });
  }
  if (typeof schema.maxLength === 'number') {
    // Keep a valid-looking prefix so only the length is wrong.
    const seed = typeof current === 'string' && current.length > 0 ? current : 'a';
    out.push({
      kind: 'tooLong',
      rule: `must be at most ${schema.maxLength} characters`,
      value: seed.repeat(Math.ceil((schema.maxLength + 1) / seed.length)).slice(0, schema.maxLength + 1),
    });
  }
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern, 'u');
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const breaker = PATTERN_BREAKERS.find((s) => !pattern.test(s) && s.length >= min);
    if (breaker !== undefined) {
      out.push({ kind: 'patternViolation', rule: `must match ${schema.pattern}`, value: breaker });
    }
  }
  if (
    typeof schema.format === 'string' &&
    ['uri', 'url', 'email', 'uuid', 'ipv4', 'date-time', 'hostname'].includes(schema.format)
  ) {
    out.push({
      kind: 'badFormat',
      rule: `must be a valid ${schema.format}`,
      value: `not a ${schema.format} ::`,
    });
  }
  if (typeof schema.minItems === 'number' && schema.minItems > 0) {
    const item = Array.isArray(current) && current.length > 0 ? current.slice(0, schema.minItems - 1) : [];
    out.push({ kind: 'tooFewItems', rule: `must have at least ${schema.minItems} items`, value: item });
  }
  if (typeof schema.maxItems === 'number' && Array.isArray(current) && current.length > 0) {
    const first = current[0] as Json;
    out.push({
      kind: 'tooManyItems',
      rule: `must have at most ${schema.maxItems} items`,
      value: Array.from({ length: schema.maxItems + 1 }, (_, i) =>
        isObject(first) ? { ...first, ...('id' in first ? { id: `c${i}` } : {}) } : first,
      ),
    });
  }
  return out;
}
