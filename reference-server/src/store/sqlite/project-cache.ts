/**
 * The SQLite store's exact caches (`exact-cache.ts`) of the records every request reads: projects (every
 * authenticated request looks its project up; the query and the row's conversion were among the largest
 * costs of a request, `bench/PROFILE.md`) and each project's registered callbacks (read by
 * `GET /v2/project/{projectId}/callback` and by every webhook a project event sends).
 */
import type { CallbackRecord, ProjectRecord } from '../types.js';
import { ExactCache } from './exact-cache.js';
import type { ExternalChanges } from './external-changes.js';

/** A shallow-enough copy: every object a caller could mutate is fresh. */
function copyProject(project: ProjectRecord): ProjectRecord {
  const storage = project.archiveStorage;
  return {
    ...project,
    callbackUrls: { ...project.callbackUrls },
    archiveStorage: storage === null ? null : { ...storage, config: { ...storage.config } },
  };
}

/** Project records by the key they were looked up with (application ID or API key). */
export type ProjectCache = ExactCache<ProjectRecord>;

/** A project cache; lookups by unknown keys are never cached (the caller sets only found records). */
export function createProjectCache(changes: ExternalChanges): ProjectCache {
  return new ExactCache(changes, copyProject);
}

/** A project's callbacks, in the store's order, by application ID. */
export type CallbackListCache = ExactCache<CallbackRecord[]>;

/** A callbacks cache. */
export function createCallbackListCache(changes: ExternalChanges): CallbackListCache {
  return new ExactCache(changes, (list) => list.map((callback) => ({ ...callback })));
}
