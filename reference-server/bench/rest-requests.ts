/**
 * The requests of the REST benchmark: what the `opentok` SDK sends for `POST /session/create` and for an
 * authenticated list (`GET /v2/project/{projectId}/callback`), as autocannon options for any server.
 *
 * Every server of the benchmark — the reference server, the bare `node:http` server, the bare Fastify
 * route — receives exactly the same bytes for one endpoint (method, path, headers with a freshly minted
 * token, form body), so the comparison is of what each does with the same request.
 */
import { createHmac } from 'node:crypto';
import type autocannon from 'autocannon';

/** The endpoints measured. */
export const SESSION_CREATE = 'POST /session/create';
export const CALLBACK_LIST = 'GET /v2/project/{projectId}/callback';
export type Endpoint = typeof SESSION_CREATE | typeof CALLBACK_LIST;
/**
 * In the order measured: the list first, because session creation leaves the disk writing back what
 * SQLite wrote (the kernel's writeback then competes for the cores whatever runs next).
 */
export const ENDPOINTS: readonly Endpoint[] = [CALLBACK_LIST, SESSION_CREATE];

/** The project whose credentials sign the requests. */
export interface BenchProject {
  apiKey: string;
  apiSecret: string;
}

/**
 * X-OPENTOK-AUTH tokens as the opentok SDK mints them, one per request (`generateJwt.js`: `iss`, `ist`,
 * `iat` and `exp` in whole seconds, HS256 — so the same text for every request of one second).
 */
export function opentokSdkTokens(project: BenchProject): () => string {
  const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  // The SDK's text depends only on the second, so the load generator computes it once a second: the
  // same bytes on the wire, without an HMAC per request on the generator's core (which otherwise
  // limits the bare servers' requests/s, not their CPU).
  let minted = { iat: Number.NaN, token: '' };
  return () => {
    const iat = Math.floor(Date.now() / 1000);
    if (iat !== minted.iat) {
      const input = `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment({ iss: project.apiKey, ist: 'project', iat, exp: iat + 180 })}`;
      minted = {
        iat,
        token: `${input}.${createHmac('sha256', project.apiSecret).update(input).digest('base64url')}`,
      };
    }
    return minted.token;
  };
}

/** autocannon options sending `endpoint`'s request, signed for `project`, to the server at `baseUrl`. */
export function requestOptions(
  endpoint: Endpoint,
  baseUrl: string,
  project: BenchProject,
): autocannon.Options {
  const mint = opentokSdkTokens(project);
  const base: autocannon.Options =
    endpoint === SESSION_CREATE
      ? {
          url: `${baseUrl}/session/create`,
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body: 'p2p.preference=disabled&archiveMode=manual',
        }
      : {
          url: `${baseUrl}/v2/project/${project.apiKey}/callback`,
          method: 'GET',
          headers: { accept: 'application/json' },
        };
  const headers = base.headers ?? {};
  return {
    ...base,
    headers: { ...headers, 'x-opentok-auth': mint() },
    setupClient: (client) => {
      // autocannon renders a request once and resends it; it is re-rendered only when the token changes.
      let sent = mint();
      client.setHeaders({ ...headers, 'x-opentok-auth': sent });
      client.on('response', () => {
        const token = mint();
        if (token !== sent) {
          sent = token;
          client.setHeaders({ ...headers, 'x-opentok-auth': token });
        }
      });
    },
  };
}
