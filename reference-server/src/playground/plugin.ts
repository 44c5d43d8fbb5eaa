/**
 * The playground routes (development only): the page and its assets under `/playground`, and the JSON
 * endpoints the page calls — `POST /playground/api/join` (creates or checks a session and mints a client
 * token for the chosen role), `GET /playground/api/sessions/:sessionId/archives` (the session's archives),
 * `POST …/archives` (starts a composed archive) and `POST …/archives/:archiveId/stop`. They are not part
 * of the Video API and carry no credentials: anyone who can reach the server can get a moderator token for
 * the playground's project, which is why `parley start --playground off` turns them off. For the same
 * reason the recording endpoints do not ask for a moderator's token: the page offers recording to
 * moderators only, but a check here would guard nothing that `join` does not hand out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.js';
import { TokenBucketLimiter } from '../http/rate-limit.js';
import { PlaygroundAppServer } from './app-server.js';
import { checkArchiveId, parseArchiveStartParams } from './archive-params.js';
import { checkSessionId, parseJoinParams } from './join-params.js';
import { buildPageAssets, type PageAssets } from './page-bundle.js';

/** Options of {@link registerPlayground}. */
export interface PlaygroundOptions {
  /** The project (application ID or API key) whose sessions and tokens the playground uses. Default: the oldest active project. */
  projectId?: string | null;
  /**
   * Requests per second (and burst) each client address may make to the playground's JSON endpoints;
   * null disables the limit. Default: the app's REST rate limit.
   */
  rateLimit?: { ratePerSecond: number; burst: number } | null;
  /** The clock, in ms. */
  now?: () => number;
}

/** Where the playground is served. */
export const PLAYGROUND_PATH = '/playground';

/**
 * The page's Content-Security-Policy: everything from this origin, media from capture and blobs, the
 * signaling WebSocket, and blob workers (the client's end-to-end encryption runs in one).
 */
const CSP = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "media-src 'self' blob: mediastream:",
  "img-src 'self' data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Registers the playground on `app` (call after the API routes, so errors use the app's handler). */
export async function registerPlayground(
  app: FastifyInstance,
  options: PlaygroundOptions = {},
): Promise<void> {
  const backend = new PlaygroundAppServer(app, options.projectId ?? null);
  const limiter =
    options.rateLimit && options.rateLimit.ratePerSecond > 0
      ? new TokenBucketLimiter({ ...options.rateLimit, now: options.now })
      : null;
  let assets: Promise<PageAssets> | null = null;
  const loadAssets = (): Promise<PageAssets> => {
    assets ??= buildPageAssets().catch((error: unknown) => {
      // Build again on the next request rather than caching the failure.
      assets = null;
      throw error;
    });
    return assets;
  };

  const rateLimited = async (request: FastifyRequest): Promise<void> => {
    if (!limiter) return;
    const decision = limiter.take(`playground:${request.ip}`);
    if (!decision.allowed) {
      app.parley.metrics.rateLimited.inc();
      const seconds = decision.retryAfterSeconds;
      throw new ApiError(
        'RATE_LIMITED',
        `Rate limit exceeded, retry after ${seconds} second${seconds === 1 ? '' : 's'}`,
        {
          headers: { 'retry-after': String(seconds) },
        },
      );
    }
  };

  const asset =
    (pick: (assets: PageAssets) => string, type: string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      let content: string;
      try {
        content = pick(await loadAssets());
      } catch (error) {
        request.log.error({ err: error }, 'the playground page could not be built');
        return reply
          .code(500)
          .type('text/plain; charset=utf-8')
          .send(`The playground page could not be built: ${(error as Error).message}\n`);
      }
      return reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('content-security-policy', CSP)
        .send(content);
    };

  await app.register(
    async (scope) => {
      scope.get(
        PLAYGROUND_PATH,
        asset((a) => a.html, 'text/html; charset=utf-8'),
      );
      scope.get(
        `${PLAYGROUND_PATH}/app.js`,
        asset((a) => a.script, 'text/javascript; charset=utf-8'),
      );
      scope.get(
        `${PLAYGROUND_PATH}/styles.css`,
        asset((a) => a.css, 'text/css; charset=utf-8'),
      );

      scope.post(`${PLAYGROUND_PATH}/api/join`, { preHandler: rateLimited }, async (request, reply) => {
        const grant = await backend.join(parseJoinParams(request.body));
        return reply
          .header('cache-control', 'no-store')
          .code(grant.created ? 201 : 200)
          .send(grant);
      });
      scope.get<{ Params: { sessionId: string } }>(
        `${PLAYGROUND_PATH}/api/sessions/:sessionId/archives`,
        { preHandler: rateLimited },
        async (request, reply) => {
          const listing = await backend.archives(checkSessionId(request.params.sessionId, 'path.sessionId'));
          return reply.header('cache-control', 'no-store').send(listing);
        },
      );
      scope.post<{ Params: { sessionId: string } }>(
        `${PLAYGROUND_PATH}/api/sessions/:sessionId/archives`,
        { preHandler: rateLimited },
        async (request, reply) => {
          const sessionId = checkSessionId(request.params.sessionId, 'path.sessionId');
          const archive = await backend.startArchive(sessionId, parseArchiveStartParams(request.body));
          return reply.header('cache-control', 'no-store').code(201).send(archive);
        },
      );
      scope.post<{ Params: { sessionId: string; archiveId: string } }>(
        `${PLAYGROUND_PATH}/api/sessions/:sessionId/archives/:archiveId/stop`,
        { preHandler: rateLimited },
        async (request, reply) => {
          const sessionId = checkSessionId(request.params.sessionId, 'path.sessionId');
          const archiveId = checkArchiveId(request.params.archiveId);
          const archive = await backend.stopArchive(sessionId, archiveId);
          return reply.header('cache-control', 'no-store').send(archive);
        },
      );
    },
    { name: 'playground' },
  );
}
