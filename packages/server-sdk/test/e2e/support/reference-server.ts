/**
 * The real Parley reference server for the SDK's end-to-end tests: started in-process with
 * `startServer` (real HTTP on 127.0.0.1, port 0, a SQLite store in a temporary data directory), with the
 * credentials its first-start bootstrap writes. Also: the server's own client-token verifier, a
 * signaling client that joins sessions as OpenTok.js does, and a local webhook receiver.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@parley/reference-server/src/config.js';
import type { CredentialsFile } from '@parley/reference-server/src/projects/credentials-file.js';
import { type RunningServer, startServer } from '@parley/reference-server/src/server.js';
import {
  type VerifiedClientToken,
  verifyClientToken,
} from '@parley/reference-server/src/tokens/client-token.js';
import { RumorTestClient } from '@parley/reference-server/test/e2e/support/rumor-test-client.js';
import { type ClientOptions, Parley } from '../../../src/index.js';

/** A running reference server and what the tests need from it. */
export interface ReferenceServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The default project's and the account's credentials, as the server's first start wrote them. */
  credentials: CredentialsFile;
  /** Verifies a client token exactly as the server does when a client joins. */
  verifyToken(token: string): Promise<VerifiedClientToken>;
  /** Joins `sessionId` over the signaling WebSocket with `token`, as OpenTok.js does. */
  join(sessionId: string, token: string): Promise<LiveClient>;
  /** A client with the project's application credentials (`style: 'application'`) or API key. */
  client(style: CredentialStyle, options?: ClientOptions): Parley;
  /** Stops everything started here and deletes the data directory. */
  close(): Promise<void>;
}

/** The two ways to authenticate as a project. */
export type CredentialStyle = 'application' | 'apiKey';

/** A client joined to a session over the signaling WebSocket. */
export interface LiveClient {
  connectionId: string;
  /** Publishes a stream (signaling only: enough for the REST API to list and moderate it). */
  publish(streamId: string, name: string): Promise<void>;
  /** Resolves with the first message whose method and URI match. */
  received(method: string, uriEnding: string): Promise<Record<string, unknown>>;
  /** Resolves when the server closes the socket. */
  closed: Promise<{ code: number }>;
}

/** Starts the reference server. Close it in `afterAll`. */
export async function startReferenceServer(): Promise<ReferenceServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-sdk-e2e-'));
  let running: RunningServer | undefined;
  const sockets: RumorTestClient[] = [];
  const clients: Parley[] = [];
  try {
    // Rate limiting off: the suite's bursts must not turn into 429 retries and flaky timings.
    const config = loadConfig({
      argv: ['--port', '0', '--data-dir', dataDir, '--log-level', 'silent', '--rate-limit', '0'],
      env: {},
      cwd: dataDir,
    });
    running = await startServer(config, { out: { write: () => true } });
    const server = running;
    const credentials = server.created;
    if (!credentials) throw new Error('the reference server did not bootstrap a default project');
    const topic = (sessionId: string) => `/v2/partner/${credentials.apiKey}/session/${sessionId}`;
    return {
      url: server.url,
      credentials,
      verifyToken: (token) => verifyClientToken(token, (id) => server.store.projects.get(id)),
      async join(sessionId, token) {
        const socket = await RumorTestClient.open(`${server.url.replace(/^http/, 'ws')}/rumorwebsocketsv2`);
        sockets.push(socket);
        const connectionId = randomUUID();
        socket.hello(connectionId, topic(sessionId));
        const reply = await socket.request(
          'create',
          `${topic(sessionId)}/connection/${connectionId}`,
          { userAgent: 'parley-server-sdk-e2e', clientVersion: 'js-2.35.2', capabilities: ['forceMute'] },
          { headers: { 'X-TB-TOKEN-AUTH': token } },
        );
        if (reply.status !== 200)
          throw new Error(`join refused: ${reply.status} ${JSON.stringify(reply.body)}`);
        return {
          connectionId,
          closed: socket.closed,
          async publish(streamId, name) {
            const published = await socket.request('create', `${topic(sessionId)}/stream/${streamId}`, {
              name,
              channel: [
                { id: 'audio1', type: 'audio' },
                { id: 'video1', type: 'video', source: 'camera' },
              ],
            });
            if (published.status !== 200) throw new Error(`publish refused: ${published.status}`);
          },
          async received(method, uriEnding) {
            const message = await socket.message((m) => m.method === method && m.uri.endsWith(uriEnding));
            return message as unknown as Record<string, unknown>;
          },
        };
      },
      client(style, options = {}) {
        const client = new Parley({
          ...(style === 'application'
            ? { applicationId: credentials.applicationId, privateKey: credentials.privateKey }
            : { apiKey: credentials.apiKey, apiSecret: credentials.apiSecret }),
          accountApiKey: credentials.accountKey,
          accountApiSecret: credentials.accountSecret,
          webhookSecret: credentials.webhookSecret,
          baseUrl: server.url,
          ...options,
        });
        clients.push(client);
        return client;
      },
      async close() {
        for (const socket of sockets) if (socket.open) await socket.drop();
        await Promise.all(clients.map((client) => client.close()));
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** One webhook delivery as it arrived: raw body and headers, unverified. */
export interface Delivery {
  rawBody: Buffer;
  headers: Record<string, string>;
}

/** A local HTTP endpoint that records webhook deliveries (answering 204). */
export interface WebhookSink {
  url: string;
  /** Resolves with the first delivery (already received or still to come) that `match` accepts. */
  next(match: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  close(): Promise<void>;
}

/** Starts a {@link WebhookSink} on 127.0.0.1, port 0. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const deliveries: Delivery[] = [];
  const waiters: { match: (d: Delivery) => boolean; resolve: (d: Delivery) => void }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      const delivery = { rawBody: Buffer.concat(chunks), headers };
      deliveries.push(delivery);
      for (const waiter of [...waiters]) {
        if (waiter.match(delivery)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(delivery);
        }
      }
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    next(match, timeoutMs = 5_000) {
      const seen = deliveries.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching webhook delivery arrived')), timeoutMs);
        waiters.push({
          match,
          resolve: (delivery) => {
            clearTimeout(timer);
            resolve(delivery);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
