/**
 * Assembles the one error catalogue from its areas. Each area file holds the errors of one part of the
 * API; together they form a single namespace of names and codes, so a code is unique across all areas
 * (checked by {@link catalogueConflicts} in the tests), not just within its file.
 */
import type { ErrorDefinition } from '../define.js';
import { ARCHIVE_ERRORS } from './archives.js';
import { AUTH_ERRORS } from './auth.js';
import { BROADCAST_ERRORS } from './broadcasts.js';
import { CAPTION_ERRORS } from './captions.js';
import { CLIENT_SERVICE_ERRORS } from './client-services.js';
import { PROJECT_ERRORS } from './projects.js';
import { RENDER_ERRORS } from './renders.js';
import { REQUEST_ERRORS } from './request.js';
import { SESSION_ERRORS } from './sessions.js';
import { SIP_ERRORS } from './sip.js';

/** The catalogue split by area, as the files under `catalogue/` hold it. */
export const ERROR_AREAS = {
  request: REQUEST_ERRORS,
  auth: AUTH_ERRORS,
  projects: PROJECT_ERRORS,
  sessions: SESSION_ERRORS,
  archives: ARCHIVE_ERRORS,
  broadcasts: BROADCAST_ERRORS,
  clientServices: CLIENT_SERVICE_ERRORS,
  renders: RENDER_ERRORS,
  captions: CAPTION_ERRORS,
  sip: SIP_ERRORS,
} as const satisfies Record<string, Record<string, ErrorDefinition>>;

/** The catalogue, keyed by a name for code. */
export const ERRORS = {
  ...REQUEST_ERRORS,
  ...AUTH_ERRORS,
  ...PROJECT_ERRORS,
  ...SESSION_ERRORS,
  ...ARCHIVE_ERRORS,
  ...BROADCAST_ERRORS,
  ...CLIENT_SERVICE_ERRORS,
  ...RENDER_ERRORS,
  ...CAPTION_ERRORS,
  ...SIP_ERRORS,
} as const satisfies Record<string, ErrorDefinition>;

/** The name of a catalogue entry. */
export type ErrorName = keyof typeof ERRORS;

/**
 * Lists what breaks the catalogue's one-namespace rule across areas: a name defined in two areas (the later
 * spread would silently replace the earlier entry in {@link ERRORS}), or a code used twice (retired entries
 * included, since retired codes are never reused). Empty when the areas are consistent.
 *
 * @param areas - The catalogue by area, e.g. {@link ERROR_AREAS}.
 * @returns One sentence per conflict, naming both places.
 */
export function catalogueConflicts(
  areas: Readonly<Record<string, Readonly<Record<string, ErrorDefinition>>>>,
): string[] {
  const conflicts: string[] = [];
  const nameAt = new Map<string, string>();
  const codeAt = new Map<number, string>();
  for (const [area, entries] of Object.entries(areas)) {
    for (const [name, entry] of Object.entries(entries)) {
      const place = `${area}.${name}`;
      const sameName = nameAt.get(name);
      if (sameName !== undefined) conflicts.push(`name ${name} is defined in both ${sameName} and ${place}`);
      else nameAt.set(name, place);
      const sameCode = codeAt.get(entry.code);
      if (sameCode !== undefined)
        conflicts.push(`code ${entry.code} is used by both ${sameCode} and ${place}`);
      else codeAt.set(entry.code, place);
    }
  }
  return conflicts;
}
