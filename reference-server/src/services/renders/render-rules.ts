/**
 * The rules of a start request that the spec's schema cannot express: defaults, and the client token the
 * render joins with (it must verify, admit to `sessionId` of the calling project, and allow publishing).
 */
import type { Resolution } from '../../recording/layouts.js';
import type { ProjectRecord } from '../../store/types.js';
import { ClientTokenError, verifyClientToken } from '../../tokens/client-token.js';
import { RenderError } from './errors.js';
import type { RenderSettings, RenderStartParams } from './types.js';

/** The default `maxDuration`, seconds (the `opentok` SDK's default too). */
export const DEFAULT_MAX_DURATION = 1800;
/** The `maxDuration` range, seconds. */
export const MAX_DURATION_RANGE = { min: 60, max: 36_000 } as const;
/** The default `resolution`. */
export const DEFAULT_RESOLUTION: Resolution = '1280x720';

/** The start request with its defaults applied. Throws `INVALID_FIELD` naming a bad field. */
export function normalizeStartParams(params: RenderStartParams): RenderSettings {
  const maxDuration = params.maxDuration ?? DEFAULT_MAX_DURATION;
  // The router validated the body against the schema; these guard direct callers of the manager.
  if (!Number.isInteger(maxDuration) || maxDuration < MAX_DURATION_RANGE.min) {
    throw new RenderError('INVALID_FIELD', `body.maxDuration must be >= ${MAX_DURATION_RANGE.min}`);
  }
  if (maxDuration > MAX_DURATION_RANGE.max) {
    throw new RenderError('INVALID_FIELD', `body.maxDuration must be <= ${MAX_DURATION_RANGE.max}`);
  }
  let url: URL;
  try {
    url = new URL(params.url);
  } catch {
    throw new RenderError('INVALID_FIELD', 'body.url must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RenderError('INVALID_FIELD', 'body.url must be an absolute http or https URL');
  }
  const name = params.properties?.name;
  return {
    sessionId: params.sessionId,
    token: params.token,
    url: params.url,
    maxDuration,
    resolution: params.resolution ?? DEFAULT_RESOLUTION,
    ...(name !== undefined ? { name } : {}),
    ...(params.statusCallbackUrl !== undefined ? { statusCallbackUrl: params.statusCallbackUrl } : {}),
  };
}

/**
 * Checks the token the render will join with: a valid client token of `project` for `sessionId` whose
 * role may publish. Returns the project ID the client must join with, which follows the token's format
 * as the session info does (the application ID for Vonage JWTs, else the API key). Throws
 * `CLIENT_TOKEN_INVALID` or `CLIENT_TOKEN_CANNOT_PUBLISH`.
 */
export async function assertPublishingToken(
  token: string,
  sessionId: string,
  project: ProjectRecord,
  resolveProject: (idOrKey: string) => Promise<ProjectRecord | null>,
  now: number,
): Promise<string> {
  const invalid = (detail: string, cause?: unknown): RenderError =>
    new RenderError(
      'CLIENT_TOKEN_INVALID',
      `body.token is not a valid client token for body.sessionId: ${detail}`,
      cause === undefined ? undefined : { cause },
    );
  let verified: Awaited<ReturnType<typeof verifyClientToken>>;
  try {
    verified = await verifyClientToken(token, resolveProject, { now });
  } catch (error) {
    if (error instanceof ClientTokenError) throw invalid(error.message, error);
    throw error;
  }
  if (verified.applicationId !== project.applicationId) {
    throw invalid('it was generated for another project');
  }
  if (verified.sessionId !== sessionId) throw invalid(`it admits to session ${verified.sessionId}`);
  if (verified.role === 'subscriber') {
    throw new RenderError(
      'CLIENT_TOKEN_CANNOT_PUBLISH',
      'body.token must have a role that may publish (publisher, publisheronly or moderator)',
    );
  }
  return verified.format === 'vonage-jwt' ? project.applicationId : project.apiKey;
}
