/**
 * The inputs of the playground's recording endpoints, checked field by field like the join body: every
 * refusal is an `INVALID_FIELD` naming the field and the rule.
 */
import { ApiError } from '../http/errors.js';

/** Longest archive name the REST API accepts (`ArchiveStartParams.name`). */
export const MAX_ARCHIVE_NAME_LENGTH = 255;

/** A validated body of `POST /playground/api/sessions/:sessionId/archives`. */
export interface ArchiveStartParams {
  /** The archive's name; null records it without one. */
  name: string | null;
}

const ARCHIVE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Validates the start body. It is optional (an absent or empty body records a composed archive with the
 * default layout and no name); when present it is a JSON object whose only field is `name`.
 */
export function parseArchiveStartParams(body: unknown): ArchiveStartParams {
  if (body === undefined || body === null || body === '') return { name: null };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('INVALID_FIELD', 'body must be a JSON object (optionally with a name), or empty');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'name') {
      throw new ApiError('INVALID_FIELD', `body.${key} is not a known field (expected name)`);
    }
  }
  const { name } = fields;
  if (name === undefined || name === null) return { name: null };
  if (typeof name !== 'string') throw new ApiError('INVALID_FIELD', 'body.name must be a string');
  const trimmed = name.trim();
  if (trimmed.length > MAX_ARCHIVE_NAME_LENGTH) {
    throw new ApiError('INVALID_FIELD', `body.name must be at most ${MAX_ARCHIVE_NAME_LENGTH} characters`);
  }
  return { name: trimmed === '' ? null : trimmed };
}

/** Checks that `value` is an archive ID (the REST API issues UUIDs). */
export function checkArchiveId(value: unknown, field = 'path.archiveId'): string {
  if (typeof value !== 'string' || !ARCHIVE_ID.test(value)) {
    throw new ApiError('INVALID_FIELD', `${field} must be an archive ID (a UUID)`);
  }
  return value;
}
