/**
 * The client-protocol endpoints OpenTok.js calls over HTTP: session info (`getSessionInfo`, also under the
 * proxied path `/anvil.opentok.com/…`), the telemetry sink and the live configuration of proxy mode, plus
 * CORS for pages on other origins. Session info validates the client token (any of the three formats) and
 * answers failures with HTTP 200 and an error array, because OpenTok.js retries any other status and then
 * hides the cause.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdmissionError, admitClient } from '../../realtime/access.js';
import { SIGNALING_PATH } from '../../realtime/gateway/paths.js';
import type { Realtime } from '../../realtime/realtime.js';
import type { ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';

/** The address clients send their Raptor requests to. */
export const SYMPHONY_ADDRESS = '/symphony.parley';

/** The request headers OpenTok.js sends cross-origin (preflighted). */
const ALLOWED_HEADERS =
  'x-opentok-auth, x-tb-version, x-tb-client-version, x-tb-connectionid, x-tb-token-auth, content-type, accept';

/** Paths of the client protocol, which pages on any origin may call. */
const CLIENT_PATHS = [
  /^\/session\/[^/]+$/,
  /^\/anvil\.opentok\.com\/session\/[^/]+$/,
  /^\/logging\/[^/]+$/,
  /^\/hlg\.tokbox\.com\/prod\/logging\/[^/]+$/,
  /^\/config\.opentok\.com\/project\/[^/]+\/config\.json$/,
];

/** The first path segments of {@link CLIENT_PATHS}: a cheap test that rules out most REST paths. */
const CLIENT_PREFIXES = [
  '/session/',
  '/anvil.opentok.com/',
  '/logging/',
  '/hlg.tokbox.com/',
  '/config.opentok.com/',
];

/** The REST operation whose path looks like session info's (`/session/{sessionId}`) but is not the client's. */
const SESSION_CREATE_PATH = '/session/create';

/** Whether a request path is one of the client protocol's. */
export function isClientPath(url: string): boolean {
  // Runs on every request: most are ruled out by their prefix before any regular expression runs.
  if (!CLIENT_PREFIXES.some((prefix) => url.startsWith(prefix))) return false;
  const path = url.split('?')[0] ?? url;
  // Session creation is a server-side REST call (credentials in a JWT), not for pages on other origins.
  if (path === SESSION_CREATE_PATH || path === `${SESSION_CREATE_PATH}/`) return false;
  return CLIENT_PATHS.some((pattern) => pattern.test(path));
}

/**
 * Answers CORS preflights on the client-protocol paths and adds `Access-Control-Allow-Origin: *` to their
 * responses. The token travels in a header, never in cookies, so any origin may call them.
 */
export function registerClientCors(app: FastifyInstance): void {
  // Callback style: this runs on every request, and an async hook would cost a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    if (!isClientPath(request.url)) {
      done();
      return;
    }
    reply.header('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      // Answered here: Fastify skips the rest of the request once the reply is sent.
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
      return;
    }
    done();
  });
}

/** One element of the error array (the spec's `SessionInfoError`). */
function errorArray(code: 400 | 403 | 404 | 409 | 500, message: string): unknown[] {
  return [{ error: { code: String(code), errorMessage: { message } } }];
}

/** The WebSocket URL as the client reached this server (so proxies and port 0 work). */
function messagingUrl(request: FastifyRequest): string {
  const forwarded = request.headers['x-forwarded-proto'];
  const scheme =
    (typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : request.protocol) === 'https'
      ? 'wss'
      : 'ws';
  return `${scheme}://${request.host}${SIGNALING_PATH}`;
}

/** The client-protocol resource, bound to the realtime layer. */
export function clientProtocolResource(realtime: Realtime): ResourceModule {
  return {
    name: 'client-protocol',
    handlers: ({ store, now }) => {
      async function getSessionInfo(request: FastifyRequest, reply: FastifyReply) {
        const { sessionId } = request.params as { sessionId: string };
        const token = request.headers['x-opentok-auth'];
        try {
          const {
            project,
            session,
            token: verified,
          } = await admitClient(store, typeof token === 'string' ? token : undefined, sessionId, now());
          const host = request.hostname;
          return reply.send([
            {
              session_id: session.sessionId,
              // OpenTok.js requires the API key it was given: the application ID for Vonage tokens.
              partner_id: verified.format === 'vonage-jwt' ? project.applicationId : project.apiKey,
              project_id: project.apiKey,
              application_id: project.applicationId,
              messaging_url: messagingUrl(request),
              messaging_server_url: host,
              symphony_address: SYMPHONY_ADDRESS,
              media_server_hostname: host,
              // Always present: without it OpenTok.js fetches session info again on its first publish.
              ice_servers: realtime.iceServers.map((server) => ({ ...server })),
              properties: {
                p2p: { preference: { value: session.mediaMode === 'relayed' ? 'enabled' : 'disabled' } },
                reconnection: true,
                renegotiation: true,
                // `simulcast` is informational for OpenTok.js (its analytics); the switch is
                // `generateoffer`'s `simulcastEnabled`. RID simulcast (`sendEncodings`) rather than the
                // legacy SSRC-group munging, which current Chromium ignores (it then sends one layer).
                simulcast: session.mediaMode === 'routed' && realtime.simulcast,
                streamSimulcastRidEnabled: session.mediaMode === 'routed' && realtime.simulcast,
                e2ee: session.e2ee,
                singlePeerConnection: false,
              },
            },
          ]);
        } catch (error) {
          if (!(error instanceof AdmissionError)) {
            request.log.error({ err: error }, 'session info failed');
            return reply.send(errorArray(500, 'Internal server error'));
          }
          request.log.info({ sessionId, failure: error.failure }, error.detail);
          return reply.send(errorArray(error.status, error.message));
        }
      }

      async function postClientLog(_request: FastifyRequest, reply: FastifyReply) {
        // Telemetry is accepted and dropped: the client ignores the outcome, and it carries no credentials.
        return reply.code(204).send();
      }

      return {
        getSessionInfo,
        getSessionInfoProxied: getSessionInfo,
        postClientLog,
        postClientLogProxied: postClientLog,
        // `{}` overrides nothing: in proxy mode the client's local configuration already points at Parley.
        getClientConfig: async (_request: FastifyRequest, reply: FastifyReply) => reply.send({}),
        // Upgrades never reach Fastify (the gateway takes them on the server's `upgrade` event).
        connectSignaling: async () => {
          throw new ApiError('UPGRADE_REQUIRED', undefined, { headers: { upgrade: 'websocket' } });
        },
      };
    },
  };
}
