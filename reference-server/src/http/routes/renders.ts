/**
 * The Experience Composer operations: `startRender` (202, the render `starting`), `listRenders`,
 * `getRender` and `stopRender` (204). Requests are already validated against the spec; the manager's
 * {@link RenderError}s become API errors with the same code and message.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RenderError } from '../../services/renders/errors.js';
import type { RenderManager } from '../../services/renders/render-manager.js';
import type { RenderStartParams } from '../../services/renders/types.js';
import { callerProject, type ResourceModule } from '../context.js';
import { ApiError, ERRORS, type ErrorName } from '../errors.js';

/** The query of `listRenders` after validation. */
interface ListQuery {
  offset?: number;
  count?: number;
}

/** The parameters of the render paths. */
interface RenderParams {
  renderId: string;
}

/** The HTTP catalogue entry for each API error code. */
const NAME_BY_CODE = new Map<number, ErrorName>(
  (Object.entries(ERRORS) as [ErrorName, { code: number }][]).map(([name, entry]) => [entry.code, name]),
);

/** The API error for a render error (same code and message); anything else is rethrown as is. */
export function renderApiError(error: unknown): unknown {
  if (!(error instanceof RenderError)) return error;
  const name = NAME_BY_CODE.get(error.code);
  // A render code missing from the HTTP catalogue is a programming error: answer 500, keep the cause.
  return name
    ? new ApiError(name, error.message, { cause: error })
    : new ApiError('INTERNAL', undefined, { cause: error });
}

async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw renderApiError(error);
  }
}

/** The renders resource, bound to a render manager. */
export function rendersResource(manager: RenderManager): ResourceModule {
  return {
    name: 'renders',
    handlers: () => ({
      async startRender(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const view = await answering(() => manager.start(project, request.body as RenderStartParams));
        return reply.code(202).send(view);
      },

      async listRenders(request: FastifyRequest, reply: FastifyReply) {
        const query = request.query as ListQuery;
        const list = await manager.list(callerProject(request), {
          offset: query.offset ?? 0,
          count: query.count ?? 50,
        });
        return reply.send(list);
      },

      async getRender(request: FastifyRequest, reply: FastifyReply) {
        const { renderId } = request.params as RenderParams;
        return reply.send(await answering(() => manager.get(callerProject(request), renderId)));
      },

      async stopRender(request: FastifyRequest, reply: FastifyReply) {
        const { renderId } = request.params as RenderParams;
        await answering(() => manager.stop(callerProject(request), renderId));
        return reply.code(204).send();
      },
    }),
  };
}
