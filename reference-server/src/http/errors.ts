/**
 * The error catalogue of the reference server: every error the HTTP API answers with, each under a stable
 * numeric code. The first three digits of a code are the HTTP status and the last two identify the error.
 *
 * The catalogue is one namespace split into files by area, under `errors/catalogue/` (`auth.ts`,
 * `sessions.ts`, `archives.ts`, `sip.ts`, …) and assembled in `errors/catalogue/index.ts`. This file is
 * the package's entry point to it: import from here.
 *
 * Rules (as in Fastify's `lib/errors.js` / `lib/warnings.js`):
 * - a code is never reused, not even after its error is retired — retire an entry by marking it
 *   `retired: true` instead of deleting it;
 * - new errors go into the file of their area and take the next free number under their status *across
 *   all areas* (`grep -rn '<status>[0-9][0-9],' src/http/errors/catalogue`); a test fails when two areas
 *   share a code or a name;
 * - the table in the package README is generated from the catalogue (`pnpm --filter
 *   @parley/reference-server readme`, or `parley errors` to print it) and a test fails when the README is
 *   out of date.
 *
 * Every error response has the body `{ "code": <code>, "message": "<text>" }`; `message` names the
 * offending field and the rule it broke.
 */

export { ApiError, type ApiErrorOptions, type ErrorBody } from './errors/api-error.js';
export { ERRORS, type ErrorName } from './errors/catalogue/index.js';
export type { ErrorDefinition } from './errors/define.js';
export { errorCatalogueMarkdown } from './errors/markdown.js';
