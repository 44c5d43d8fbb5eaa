/**
 * What the REST operations on live sessions share: finding the session of the calling project, and its
 * live state in the realtime layer (which is undefined while nobody is connected).
 */
import type { FastifyRequest } from 'fastify';
import type { Realtime } from '../../realtime/realtime.js';
import type { LiveSession } from '../../realtime/session/live-session.js';
import type { ProjectRecord, SessionRecord, Store } from '../../store/types.js';
import { callerProject } from '../context.js';
import { ApiError } from '../errors.js';

/** The session named in the path, its project and its live state. */
export interface LiveTarget {
  project: ProjectRecord;
  record: SessionRecord;
  /** The live state, or undefined when no client is connected and nothing is pending. */
  live: LiveSession | undefined;
}

/** Loads the session named in the path; answers 404 when it is not a session of the caller's project. */
export async function liveTarget(
  store: Store,
  realtime: Realtime,
  request: FastifyRequest,
): Promise<LiveTarget> {
  const project = callerProject(request);
  const { sessionId } = request.params as { sessionId: string };
  const record = await store.sessions.get(sessionId);
  if (!record || record.applicationId !== project.applicationId) {
    throw new ApiError('SESSION_NOT_FOUND', `Session ${sessionId} was not found`);
  }
  return { project, record, live: realtime.registry.get(sessionId) };
}

/** The live state of a session, created if needed (for state that outlives connections, such as mute-all). */
export function openLive(realtime: Realtime, target: LiveTarget): LiveSession {
  return (
    target.live ??
    realtime.registry.open({
      sessionId: target.record.sessionId,
      project: { applicationId: target.project.applicationId, apiKey: target.project.apiKey },
      mediaMode: target.record.mediaMode,
      e2ee: target.record.e2ee,
    })
  );
}

/** The project as the moderation calls return it (the spec's `ProjectDetails`, without the secret). */
export function projectDetailsWithoutSecret(project: ProjectRecord): Record<string, unknown> {
  return {
    id: project.apiKey,
    applicationId: project.applicationId,
    status: project.status,
    name: project.name,
    environment: 'standard',
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
  };
}
