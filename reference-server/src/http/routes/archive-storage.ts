/**
 * The archive upload target of a project (`PUT|DELETE /v2/project/{projectId}/archive/storage`), with the
 * project's own credentials. Setting a target first writes a test object to it (answering 400 with code
 * 40065 when that fails), then stores it with its secret sealed; the answer never contains the secret.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type ArchiveStorageParams,
  archiveStorageView,
  describeArchiveStorage,
  normaliseArchiveStorage,
  sealArchiveStorage,
  testArchiveStorage,
} from '../../projects/archive-storage/target.js';
import type { ProjectRecord, Store } from '../../store/types.js';
import { callerProject, type ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';

/** Applies `change` to the latest stored version of the project (not the one read at authentication). */
async function updateProject(
  store: Store,
  applicationId: string,
  change: (project: ProjectRecord) => ProjectRecord,
): Promise<void> {
  const latest = await store.projects.get(applicationId);
  if (!latest) throw new ApiError('PROJECT_NOT_FOUND', `Project ${applicationId} was not found`);
  await store.projects.update(change(latest));
}

/** The archive storage resource. */
export const archiveStorageResource: ResourceModule = {
  name: 'archive-storage',
  handlers: ({ store, now, secrets, archiveStorageClient }) => ({
    async setArchiveStorage(request: FastifyRequest) {
      const project = callerProject(request);
      const target = normaliseArchiveStorage(request.body as ArchiveStorageParams);
      if (target.type === 'azure' && !/^[A-Za-z0-9+/]+={0,2}$/.test(target.config.accountKey)) {
        throw new ApiError('INVALID_FIELD', 'body.config.accountKey must be the base64 account key');
      }
      const written = await testArchiveStorage(target, project.apiKey, archiveStorageClient);
      if (!written.ok) {
        request.log.info(
          { applicationId: project.applicationId, status: written.status, reason: written.reason },
          'archive storage test write failed',
        );
        throw new ApiError(
          'ARCHIVE_STORAGE_TEST_FAILED',
          `Could not write a test object to ${describeArchiveStorage(target)}: ${written.reason}`,
        );
      }
      const at = now();
      const sealed = sealArchiveStorage(target, project.applicationId, secrets, at);
      await updateProject(store, project.applicationId, (latest) => ({
        ...latest,
        archiveStorage: sealed,
        updatedAt: at,
      }));
      request.log.info(
        { applicationId: project.applicationId, type: target.type, fallback: target.fallback },
        'archive storage set',
      );
      return archiveStorageView(sealed);
    },

    async deleteArchiveStorage(request: FastifyRequest, reply: FastifyReply) {
      const project = callerProject(request);
      const latest = await store.projects.get(project.applicationId);
      // Removing a target that is not set succeeds too (spec).
      if (latest?.archiveStorage) {
        await store.projects.update({ ...latest, archiveStorage: null, updatedAt: now() });
        request.log.info({ applicationId: project.applicationId }, 'archive storage removed');
      }
      return reply.code(204).send();
    },
  }),
};
