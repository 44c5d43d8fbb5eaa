/**
 * Changes to projects that other layers must act on at once, as typed events. The REST project-management
 * handlers emit them; the realtime gateway subscribes (through `app.parley.projectChanges`) to disconnect
 * the live clients of a project that is suspended or deleted, since a suspended project must refuse every
 * client, not only new ones.
 *
 * @example
 * ```ts
 * app.parley.projectChanges.on('suspended', (project) => realtime.disconnectProject(project.applicationId));
 * ```
 */
import { TypedEmitter } from '@parley/events';
import type { ProjectRecord } from '../store/types.js';

/** The events of {@link ProjectChanges}. */
export type ProjectChangeEvents = {
  /** The project's status became `SUSPENDED`: refuse and disconnect all of its clients. */
  suspended: [project: ProjectRecord];
  /** The project's status became `ACTIVE` again. */
  reactivated: [project: ProjectRecord];
  /** The project and everything it owned were deleted: disconnect all of its clients. */
  deleted: [project: ProjectRecord];
  /** The API secret was replaced: legacy tokens and REST JWTs signed with the old one no longer verify. */
  secretRotated: [project: ProjectRecord];
};

/** The emitter of project changes, one per app. Listener errors never reach the emitting request. */
export class ProjectChanges extends TypedEmitter<ProjectChangeEvents> {
  /** Emits `suspended` or `reactivated` when `after` has another status than `before`. */
  statusChanged(before: ProjectRecord, after: ProjectRecord): void {
    if (before.status === after.status) return;
    this.emit(after.status === 'SUSPENDED' ? 'suspended' : 'reactivated', after);
  }
}
