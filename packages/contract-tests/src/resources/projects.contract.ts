/**
 * Project management (account credentials): create → get → list contains it → update → rotate secret →
 * the new project's own credentials work → delete → get 404; plus archive storage on the caller's project.
 */

import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { ensureResourceAvailability, idempotencyReplay, useAfterFree } from '../checks/index.js';
import { contractTest } from '../harness/contract-test.js';
import { ApiClient } from '../http/client.js';

interface Project {
  id: string;
  applicationId: string;
  secret?: string;
  status: string;
  name: string;
  privateKey?: string;
}

describe('projects', () => {
  contractTest(
    'create, get, list, update, rotate the secret, use, delete',
    {
      operations: [
        'createProject',
        'getProject',
        'listProjects',
        'updateProject',
        'refreshProjectSecret',
        'deleteProject',
        'createSession',
      ],
      needs: ['account'],
    },
    async (h) => {
      const created = await h.expect('createProject', 200, { body: { name: 'Contract project' } });
      const project = created.body as Project;
      h.defer(() => h.api.call('deleteProject', { path: { projectId: project.applicationId } }));
      expect(project).toMatchObject({ name: 'Contract project', status: 'ACTIVE' });

      const got = await h.expect('getProject', 200, { path: { projectId: project.applicationId } });
      ensureResourceAvailability(h.spec, created, got);
      expect((got.body as Project).id).toBe(project.id);
      // Either identifier names the same project.
      await h.expect('getProject', 200, { path: { projectId: project.id } });

      const listed = await h.expect('listProjects', 200);
      expect((listed.body as Project[]).map((p) => p.applicationId)).toContain(project.applicationId);

      const renamed = await h.expect('updateProject', 200, {
        path: { projectId: project.id },
        body: { name: 'Contract project (renamed)' },
      });
      expect((renamed.body as Project).name).toBe('Contract project (renamed)');

      // The new project's own credentials work at once.
      const own = new ApiClient({
        baseUrl: h.api.baseUrl,
        spec: h.spec,
        credentials: { applicationId: project.applicationId, privateKey: project.privateKey ?? '' },
        style: 'vonage',
        timeoutMs: h.config.requestTimeoutMs,
        onCall: () => {},
      });
      if (project.privateKey) await h.expect('createSession', 200, { body: {} }, own);

      const rotated = await h.expect('refreshProjectSecret', 200, { path: { projectId: project.id } });
      expect((rotated.body as Project).secret).not.toBe(project.secret);

      const deleted = await h.expect('deleteProject', 204, { path: { projectId: project.id } });
      useAfterFree(h.spec, deleted, await h.send('getProject', { path: { projectId: project.id } }));
    },
  );

  contractTest(
    'createProject with an Idempotency-Key is replayed, not repeated',
    { operations: ['createProject', 'listProjects', 'deleteProject'], needs: ['account'] },
    async (h) => {
      const key = `contract-${randomUUID()}`;
      const name = `Contract idempotent ${key}`;
      const first = await h.expect('createProject', 200, { body: { name }, idempotencyKey: key });
      const project = first.body as Project;
      h.defer(() => h.api.call('deleteProject', { path: { projectId: project.applicationId } }));
      idempotencyReplay(
        h.spec,
        first,
        await h.expect('createProject', 200, { body: { name }, idempotencyKey: key }),
      );
      const listed = (await h.expect('listProjects', 200)).body as Project[];
      expect(listed.filter((p) => p.name === name)).toHaveLength(1);
    },
  );

  contractTest(
    'setArchiveStorage checks the bucket by writing to it, returns the target without secrets; deleteArchiveStorage removes it',
    { operations: ['setArchiveStorage', 'deleteArchiveStorage'], needs: ['webhookReceiver'] },
    async (h) => {
      // An S3-compatible endpoint run by the suite: it accepts every write and records it.
      const bucket = await h.receiver();
      const body = {
        type: 's3',
        config: {
          accessKey: 'AKIAIOSFODNN7EXAMPLE',
          secretKey: 'contract-secret-key',
          bucket: 'contract-bucket',
          endpoint: bucket.url('/'),
        },
        fallback: 'none',
      };
      const stored = (await h.expect('setArchiveStorage', 200, { body })).body as {
        type: string;
        config: Record<string, unknown>;
      };
      h.defer(() => h.api.call('deleteArchiveStorage'));
      expect(stored.type).toBe('s3');
      expect(stored.config.secretKey).toBeUndefined();
      expect(bucket.deliveries.some((d) => d.method === 'PUT')).toBe(true);
      await h.expect('deleteArchiveStorage', 204);
      // Removing a target that is not set succeeds too.
      await h.expect('deleteArchiveStorage', 204);
    },
  );

  contractTest(
    'setArchiveStorage answers 400 when the bucket cannot be written',
    { operations: ['setArchiveStorage'] },
    async (h) => {
      const body = {
        type: 's3',
        // Port 9 (discard) refuses connections: the test write must fail.
        config: {
          accessKey: 'AKIAIOSFODNN7EXAMPLE',
          secretKey: 'contract-secret-key',
          bucket: 'contract-bucket',
          endpoint: 'http://127.0.0.1:9',
        },
        fallback: 'none',
      };
      await h.expect('setArchiveStorage', 400, { body });
    },
  );
});
