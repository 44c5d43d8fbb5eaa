/**
 * Account-level project management (`/v2/project`, account JWTs): create, list, get, update, delete and
 * rotate the secret of projects.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createProject, rotateProjectSecret } from '../../projects/projects.js';
import type { ProjectRecord, Store } from '../../store/types.js';
import type { ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';

/** A project as the API returns it (the spec's `ProjectDetails`). */
export interface ProjectDetails {
  id: string;
  applicationId: string;
  secret: string;
  status: ProjectRecord['status'];
  name: string;
  environment: 'standard';
  createdAt: number;
  updatedAt: number;
}

/** Maps a stored project to its API form. Only account-level calls use it, so the secret is included. */
export function projectDetails(project: ProjectRecord): ProjectDetails {
  return {
    id: project.apiKey,
    applicationId: project.applicationId,
    secret: project.apiSecret,
    status: project.status,
    name: project.name,
    environment: 'standard',
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
  };
}

/** Loads the project named in the path, or answers 404. */
export async function projectFromPath(store: Store, request: FastifyRequest): Promise<ProjectRecord> {
  const { projectId } = request.params as { projectId: string };
  const project = await store.projects.get(projectId);
  if (!project) throw new ApiError('PROJECT_NOT_FOUND', `Project ${projectId} was not found`);
  return project;
}

/** The validated body of `POST /v2/project` (the spec's `ProjectCreateParams`). */
interface ProjectCreateBody {
  name?: string;
}

/** The validated body of `PUT /v2/project/{projectId}` (the spec's `ProjectUpdateParams`). */
interface ProjectUpdateBody {
  status?: ProjectRecord['status'];
  name?: string;
}

/** The projects resource. */
export const projectsResource: ResourceModule = {
  name: 'projects',
  handlers: ({ store, account, now, projectChanges }) => ({
    async createProject(request: FastifyRequest) {
      const body = (request.body ?? {}) as ProjectCreateBody;
      const { project, credentials } = await createProject(store, {
        name: body.name ?? '',
        account,
        now: now(),
      });
      request.log.info({ applicationId: project.applicationId, apiKey: project.apiKey }, 'project created');
      return {
        ...projectDetails(project),
        privateKey: credentials.privateKeyPem,
        webhookSecret: credentials.webhookSecret,
      };
    },

    async listProjects() {
      return (await store.projects.list()).map(projectDetails);
    },

    async getProject(request: FastifyRequest) {
      return projectDetails(await projectFromPath(store, request));
    },

    async updateProject(request: FastifyRequest) {
      const project = await projectFromPath(store, request);
      const body = request.body as ProjectUpdateBody;
      const updated: ProjectRecord = {
        ...project,
        status: body.status ?? project.status,
        name: body.name ?? project.name,
        updatedAt: now(),
      };
      await store.projects.update(updated);
      if (updated.status !== project.status) {
        request.log.info(
          { applicationId: project.applicationId, status: updated.status },
          'project status changed',
        );
        // The store no longer admits the project's REST calls and clients; this tells the realtime layer
        // to disconnect the clients already connected.
        projectChanges.statusChanged(project, updated);
      }
      return projectDetails(updated);
    },

    async deleteProject(request: FastifyRequest, reply: FastifyReply) {
      const project = await projectFromPath(store, request);
      // The store removes everything the project owns with it.
      if (!(await store.projects.delete(project.applicationId))) {
        throw new ApiError('PROJECT_NOT_FOUND', `Project ${project.applicationId} was not found`);
      }
      request.log.info({ applicationId: project.applicationId }, 'project deleted');
      projectChanges.emit('deleted', project);
      return reply.code(204).send();
    },

    async refreshProjectSecret(request: FastifyRequest) {
      const project = await projectFromPath(store, request);
      const updated = await rotateProjectSecret(store, project.applicationId, now());
      if (!updated) throw new ApiError('PROJECT_NOT_FOUND', `Project ${project.applicationId} was not found`);
      request.log.info({ applicationId: project.applicationId }, 'project secret rotated');
      projectChanges.emit('secretRotated', updated);
      return projectDetails(updated);
    },
  }),
};
