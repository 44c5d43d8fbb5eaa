/**
 * The archive operations (`startArchive`, `listArchives`, `getArchive`, `deleteArchive`, `stopArchive`,
 * `setArchiveLayout`, `updateArchiveStreams`) over the {@link ArchiveManager}. Parameters and bodies are
 * already validated against the spec; the manager's `RecordingError`s become API errors with the
 * same code. `downloadArchive` is served by the archive-download resource.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {
  ArchiveManager,
  ArchiveStartRequest,
  ArchiveStreamsChange,
} from '../../recording/archives/index.js';
import { archiveObject } from '../../recording/archives/index.js';
import type { ArchiveRecord, ProjectRecord } from '../../store/types.js';
import { callerProject, type ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';
import { answering } from './recording-errors.js';

/** The query of `listArchives` after validation (defaults applied). */
interface ListQuery {
  offset?: number;
  count?: number;
  sessionId?: string;
  session_id?: string;
}

/** The `sessionId`/`session_id` filter; the two must agree when both are given. */
function sessionFilter(query: ListQuery): string | undefined {
  const { sessionId, session_id: snake } = query;
  if (sessionId !== undefined && snake !== undefined && sessionId !== snake) {
    throw new ApiError(
      'INVALID_FIELD',
      'query.sessionId and query.session_id must be equal when both are given',
    );
  }
  return sessionId ?? snake;
}

/** The archives resource, bound to an archive manager. */
export function archivesResource(manager: ArchiveManager): ResourceModule {
  const view = (record: ArchiveRecord, project: ProjectRecord): Record<string, unknown> =>
    archiveObject(record, project, manager.downloadUrl(record));
  const archiveIdOf = (request: FastifyRequest): string =>
    (request.params as { archiveId: string }).archiveId;

  return {
    name: 'archives',
    handlers: () => ({
      async startArchive(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const record = await answering(() => manager.start(project, request.body as ArchiveStartRequest));
        return reply.send(view(record, project));
      },

      async listArchives(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const query = request.query as ListQuery;
        const sessionId = sessionFilter(query);
        const page = await answering(() =>
          manager.list(project, {
            offset: Number(query.offset ?? 0),
            count: Number(query.count ?? 50),
            ...(sessionId === undefined ? {} : { sessionId }),
          }),
        );
        return reply.send({ count: page.total, items: page.items.map((r) => view(r, project)) });
      },

      async getArchive(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const record = await answering(() => manager.get(project, archiveIdOf(request)));
        return reply.send(view(record, project));
      },

      async deleteArchive(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        await answering(() => manager.delete(project, archiveIdOf(request)));
        return reply.code(204).send();
      },

      async stopArchive(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const record = await answering(() => manager.stop(project, archiveIdOf(request)));
        return reply.send(view(record, project));
      },

      async setArchiveLayout(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const layout = request.body as { type?: string; stylesheet?: string; screenshareType?: string };
        await answering(() => manager.setLayout(project, archiveIdOf(request), layout));
        return reply.code(200).send();
      },

      async updateArchiveStreams(request: FastifyRequest, reply: FastifyReply) {
        const project = callerProject(request);
        const change = request.body as ArchiveStreamsChange;
        await answering(() => manager.updateStreams(project, archiveIdOf(request), change));
        return reply.code(204).send();
      },
    }),
  };
}
