/**
 * Scenarios of account-level project management (account credentials from the server bootstrap)
 */
import { expect } from 'vitest';
import { notFound, projectDetails, type Scenario } from './types.js';

/** Scenarios of account-level project management (account credentials from the server bootstrap). */
export const PROJECT_SCENARIOS: readonly Scenario[] = [
  // Account-level project management (account credentials from the server's bootstrap)
  {
    method: 'projects.create',
    operationId: 'createProject',
    call: (f) => f.video.projects.create({ name: 'e2e scratch' }),
    outcome: {
      result: (value) =>
        expect(value).toMatchObject({ name: 'e2e scratch', status: 'ACTIVE', secret: expect.any(String) }),
    },
  },
  {
    method: 'projects.list',
    operationId: 'listProjects',
    call: (f) => f.video.projects.list(),
    outcome: {
      result: (value, f) =>
        expect(value).toContainEqual(
          expect.objectContaining({ applicationId: f.server.credentials.applicationId }),
        ),
    },
  },
  {
    method: 'projects.retrieve',
    operationId: 'getProject',
    call: (f) => f.video.projects.retrieve(f.server.credentials.apiKey),
    outcome: projectDetails,
  },
  {
    method: 'projects.update',
    operationId: 'updateProject',
    async call(f) {
      const { id } = await f.video.projects.create({ name: 'before' });
      return f.video.projects.update(id, { name: 'after' });
    },
    outcome: { result: (value) => expect(value).toMatchObject({ name: 'after' }) },
  },
  {
    method: 'projects.refreshSecret',
    operationId: 'refreshProjectSecret',
    async call(f) {
      const created = await f.video.projects.create({ name: 'rotating' });
      const refreshed = await f.video.projects.refreshSecret(created.id);
      return { before: created.secret, after: refreshed };
    },
    outcome: {
      result: (value) => {
        const { before, after } = value as { before: string; after: { secret?: string } };
        expect(after.secret).toEqual(expect.any(String));
        expect(after.secret).not.toBe(before);
      },
    },
  },
  {
    method: 'projects.delete',
    operationId: 'deleteProject',
    async call(f) {
      const { id } = await f.video.projects.create({ name: 'doomed' });
      await f.video.projects.delete(id);
      return f.video.projects.retrieve(id);
    },
    outcome: notFound,
  },
];
