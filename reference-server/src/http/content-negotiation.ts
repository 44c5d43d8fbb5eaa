/**
 * A minimal `Accept` header reader: enough to decide between JSON and the legacy XML form of
 * `POST /session/create`, which the real API sends only to clients that do not accept JSON.
 */

/** The media ranges of an `Accept` header with q > 0, lowercase, without parameters. */
export function acceptedMediaRanges(accept: string | undefined): string[] {
  if (accept === undefined || accept.trim() === '') return ['*/*'];
  const ranges: string[] = [];
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (range === '') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    ranges.push(range);
  }
  return ranges;
}

/** True when a client with this `Accept` header takes JSON (no header means it takes anything). */
export function acceptsJson(accept: string | undefined): boolean {
  // What the SDKs send (or nothing): answered without parsing, on every session creation.
  if (accept === undefined || accept === 'application/json' || accept === '*/*') return true;
  return acceptedMediaRanges(accept).some(
    (range) =>
      range === 'application/json' || range === 'application/*' || range === '*/*' || range.endsWith('+json'),
  );
}
