/**
 * URL path building. Every interpolated value is percent-encoded, so an ID containing `/`, `?` or `#`
 * can never change which endpoint is called.
 */
import { InvalidArgumentError } from './errors.js';

/**
 * A tagged template for request paths: `path\`/archive/${archiveId}/stop\``. Each interpolated value
 * is percent-encoded (check required IDs first with {@link requireId}).
 */
export function path(strings: TemplateStringsArray, ...values: readonly string[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += encodeURIComponent(value) + (strings[index + 1] ?? '');
  });
  return out;
}

/**
 * Checks that `value` is a non-empty string, for required ID arguments; throws
 * {@link InvalidArgumentError} naming `field` otherwise. Returns the value for chaining.
 */
export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(field, `must be a non-empty string (got ${describe(value)})`);
  }
  return value;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'an empty string' : JSON.stringify(value.slice(0, 60));
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
