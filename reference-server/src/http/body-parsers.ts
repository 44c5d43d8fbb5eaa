/**
 * Request body parsers. JSON keeps Fastify's prototype-poisoning protection but accepts an empty body
 * (several official SDKs send `Content-Type: application/json` with no body on POSTs that take none).
 * Form bodies are parsed into plain objects in which a field that an SDK serialised from a missing value
 * (`null`, `undefined` or empty) counts as absent.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

/**
 * Values that JavaScript SDKs produce for "not set" when they stringify an options object into a form:
 * `@vonage/video` sends `location=null` when no location is given.
 */
const ABSENT_FORM_VALUES = new Set(['', 'null', 'undefined']);

/** Parses an `application/x-www-form-urlencoded` body. Repeated fields become arrays. */
export function parseForm(text: string): Record<string, string | string[]> {
  // A null-prototype object: a field named `__proto__` is just a field.
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (ABSENT_FORM_VALUES.has(value)) continue;
    const previous = fields[name];
    if (previous === undefined) fields[name] = value;
    else fields[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return fields;
}

/** Registers the JSON, form and catch-all parsers on the root instance. */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
  await app.register(formbody, { parser: parseForm });
  // Any other type is read as bytes; the spec router then answers 415 naming the accepted types, or
  // ignores the body on operations that take none.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}
