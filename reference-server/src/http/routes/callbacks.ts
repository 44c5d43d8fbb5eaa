/**
 * Callback registration (`/v2/project/{projectId}/callback`): the URLs that receive a project's webhooks,
 * one per (`group`, `event`) pair. Registering a pair again replaces its URL and keeps its ID.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallbackRecord } from '../../store/types.js';
import { callerProject, type ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';

/** A callback as the API returns it (the spec's `Callback`). */
export interface CallbackView {
  id: string;
  group: string;
  event: string;
  url: string;
  createdAt: number;
}

const view = (callback: CallbackRecord): CallbackView => ({
  id: callback.id,
  group: callback.group,
  event: callback.event,
  url: callback.url,
  createdAt: callback.createdAt,
});

/** The validated body of `POST …/callback` (the spec's `CallbackRegisterParams`). */
interface CallbackRegisterBody {
  group: string;
  event: string;
  url: string;
}

/** The callbacks resource. */
export const callbacksResource: ResourceModule = {
  name: 'callbacks',
  handlers: ({ store, now }) => ({
    async listCallbacks(request: FastifyRequest) {
      const project = callerProject(request);
      const callbacks = await store.callbacks.list(project.applicationId);
      return callbacks.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map(view);
    },

    async registerCallback(request: FastifyRequest) {
      const project = callerProject(request);
      const body = request.body as CallbackRegisterBody;
      const existing = (await store.callbacks.list(project.applicationId)).find(
        (c) => c.group === body.group && c.event === body.event,
      );
      const callback: CallbackRecord = {
        id: existing?.id ?? randomUUID(),
        applicationId: project.applicationId,
        group: body.group,
        event: body.event,
        url: body.url,
        createdAt: now(),
      };
      // The store has no update: replacing a pair's URL is a delete and a create under the same ID.
      if (existing) await store.callbacks.delete(project.applicationId, existing.id);
      await store.callbacks.create(callback);
      request.log.info(
        { group: callback.group, event: callback.event, replaced: Boolean(existing) },
        'callback registered',
      );
      return view(callback);
    },

    async deleteCallback(request: FastifyRequest, reply: FastifyReply) {
      const project = callerProject(request);
      const { callbackId } = request.params as { callbackId: string };
      if (!(await store.callbacks.delete(project.applicationId, callbackId))) {
        throw new ApiError('CALLBACK_NOT_FOUND', `Callback ${callbackId} was not found`);
      }
      return reply.code(204).send();
    },
  }),
};
