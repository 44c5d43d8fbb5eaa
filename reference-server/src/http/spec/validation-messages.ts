/**
 * Turns Ajv's errors into one readable sentence that names the field (`body.archiveResolution`,
 * `query.count`, `path.sessionId`) and the rule it broke. Cross-field rules written as `if`/`then`/`not`
 * in the spec carry a `description` that states the rule; that text is used for them.
 */
import type { ErrorObject } from 'ajv';

/** Where the validated value came from; it prefixes the field name. */
export type ValueLocation = 'path' | 'query' | 'header' | 'body';

/** The outcome of describing a failed validation. */
export interface DescribedError {
  message: string;
  /** True when the rule was a size maximum (the router answers 413 where the operation declares it). */
  tooLarge: boolean;
}

const SIZE_KEYWORDS = new Set(['maxLength', 'maxItems', 'maxProperties']);

const FORMAT_NAMES: Record<string, string> = {
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  uri: 'an absolute URI',
  'uri-reference': 'a URI reference',
  uuid: 'a UUID',
  email: 'an email address',
  'date-time': 'an RFC 3339 date-time',
  date: 'an RFC 3339 date',
  int32: 'a 32-bit integer',
  int64: 'a 64-bit integer',
  byte: 'base64 data',
};

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** `location` + Ajv's instance path as `body.layout.type` / `body.items[0].id`. */
export function fieldName(location: ValueLocation, instancePath: string): string {
  if (instancePath === '') return location;
  let name: string = location;
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    name += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return name;
}

/** Removes Markdown backticks and folds whitespace, so spec descriptions read as plain text. */
function plain(text: string): string {
  return text.replaceAll('`', '').replace(/\s+/g, ' ').trim();
}

const describedBy = (schema: unknown): string | null =>
  typeof schema === 'object' &&
  schema !== null &&
  typeof (schema as { description?: unknown }).description === 'string'
    ? plain((schema as { description: string }).description)
    : null;

const list = (values: unknown): string =>
  Array.isArray(values)
    ? values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')
    : String(values);

/** Describes one Ajv error (produced with `verbose: true`). */
function describeOne(error: ErrorObject, location: ValueLocation): string {
  const field = fieldName(location, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${field}.${String(params.missingProperty)} is required`;
    case 'dependentRequired':
      return `${field}.${String(params.missingProperty)} is required when ${field}.${String(params.property)} is present`;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return `${field}.${String(params.additionalProperty ?? params.unevaluatedProperty)} is not an allowed field`;
    case 'type':
      return `${field} must be ${String(params.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ')}`;
    case 'enum':
      return `${field} must be one of ${list(params.allowedValues)}`;
    case 'const':
      return `${field} must be ${JSON.stringify(params.allowedValue)}`;
    case 'minLength':
      return `${field} must be at least ${String(params.limit)} characters long`;
    case 'maxLength':
      return `${field} must be at most ${String(params.limit)} characters long`;
    case 'minimum':
      return `${field} must be at least ${String(params.limit)}`;
    case 'maximum':
      return `${field} must be at most ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `${field} must be greater than ${String(params.limit)}`;
    case 'exclusiveMaximum':
      return `${field} must be less than ${String(params.limit)}`;
    case 'multipleOf':
      return `${field} must be a multiple of ${String(params.multipleOf)}`;
    case 'minItems':
      return `${field} must have at least ${String(params.limit)} items`;
    case 'maxItems':
      return `${field} must have at most ${String(params.limit)} items`;
    case 'minProperties':
      return `${field} must have at least ${String(params.limit)} fields`;
    case 'maxProperties':
      return `${field} must have at most ${String(params.limit)} fields`;
    case 'uniqueItems':
      return `${field} must not contain duplicate items (items ${String(params.j)} and ${String(params.i)} are equal)`;
    case 'pattern':
      return `${field} must match the pattern ${String(params.pattern)}`;
    case 'format':
      return `${field} must be ${FORMAT_NAMES[String(params.format)] ?? `a valid ${String(params.format)}`}`;
    case 'not': {
      const rule = describedBy(error.parentSchema);
      return rule ? `${field} breaks a rule: ${rule}` : `${field} has a value the API does not allow here`;
    }
    case 'anyOf':
    case 'oneOf': {
      const rule = describedBy(error.parentSchema);
      const what = error.keyword === 'oneOf' ? 'exactly one' : 'one';
      return `${field} must match ${what} of the allowed forms${rule ? ` (${rule})` : ''}`;
    }
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}

/** Finds the `then`/`else` branch a schema object sits in, or undefined. */
export type SchemaLookup = (schema: object) => object | undefined;

/**
 * Indexes every schema object of `doc` by the innermost `then`/`else` branch it sits in. Ajv's verbose
 * errors point at the document's own objects (`parentSchema`), so the index finds the branch of a failure
 * however the schema was reached through `$ref`s.
 */
export function indexBranches(doc: unknown): SchemaLookup {
  const branchOf = new WeakMap<object, object>();
  const walk = (node: unknown, branch: object | undefined): void => {
    if (typeof node !== 'object' || node === null) return;
    if (branch) branchOf.set(node, branch);
    for (const [key, value] of Object.entries(node)) {
      const isBranch = (key === 'then' || key === 'else') && typeof value === 'object' && value !== null;
      walk(value, isBranch ? value : branch);
    }
  };
  walk(doc, undefined);
  return (schema) => branchOf.get(schema);
}

/** The rule stated by the `then`/`else` branch that the failing schema sits in. */
function branchRule(parentSchema: unknown, lookup: SchemaLookup | undefined): string | null {
  if (!lookup || typeof parentSchema !== 'object' || parentSchema === null) return null;
  return describedBy(lookup(parentSchema));
}

/**
 * Describes a failed validation. Ajv (with `allErrors: false`) lists the innermost failure first and, for
 * `anyOf`/`oneOf`, the combinator after it; this picks the most useful one and adds the rule text of an
 * enclosing `if` branch when the spec gives one.
 */
export function describeValidationErrors(
  errors: readonly ErrorObject[],
  location: ValueLocation,
  lookup?: SchemaLookup,
): DescribedError {
  const first = errors[0];
  if (!first) return { message: `${location} is invalid`, tooLarge: false };
  // A failure inside one branch of anyOf/oneOf says little ("must be a string"); the combinator itself
  // says what was expected.
  const combinator = errors.find(
    (e) =>
      (e.keyword === 'anyOf' || e.keyword === 'oneOf') &&
      e !== first &&
      first.schemaPath.startsWith(e.schemaPath.replace(/\/(anyOf|oneOf)$/, '')),
  );
  const primary = combinator ?? first;
  let message = describeOne(primary, location);
  if (primary.keyword !== 'not') {
    const rule = branchRule(primary.parentSchema, lookup);
    if (rule) message += ` (${rule})`;
  }
  return { message, tooLarge: SIZE_KEYWORDS.has(primary.keyword) };
}
