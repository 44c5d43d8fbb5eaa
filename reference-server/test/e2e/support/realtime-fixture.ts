/**
 * A realtime layer on a real HTTP server on 127.0.0.1 (port 0) over an in-memory store with one project,
 * for protocol tests. Tokens are minted by the official `opentok` package, as a customer's server would.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRaptorUri, type RaptorKey, sessionTopic } from '@parley/protocol';
import OpenTok from 'opentok';
import { createProject } from '../../../src/projects/projects.js';
import { createRealtime, type Realtime, type RealtimeOptions } from '../../../src/realtime/index.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { ProjectRecord, SessionRecord, Store, TokenRole } from '../../../src/store/types.js';
import { encodeSessionId } from '../../../src/tokens/session-id.js';
import { RumorTestClient, type StatusReply } from './rumor-test-client.js';

/** A joined test client. */
export interface JoinedClient {
  client: RumorTestClient;
  connectionId: string;
  reply: StatusReply;
}

/** The running fixture. */
export interface RealtimeFixture {
  store: Store;
  project: ProjectRecord;
  realtime: Realtime;
  server: Server;
  /** `ws://127.0.0.1:<port>/rumorwebsocketsv2`. */
  wsUrl: string;
  /** Creates a session in the store. */
  createSession(mediaMode?: SessionRecord['mediaMode']): Promise<string>;
  /** Mints a legacy JWT client token with the official `opentok` package. */
  token(sessionId: string, role?: TokenRole, data?: string): string;
  /** The Raptor URI of a session or of a resource inside it. */
  uri(sessionId: string, ...pairs: [RaptorKey, string][]): string;
  /** Opens a socket, says CONNECT/SUBSCRIBE and creates the connection; the reply must be 200. */
  join(
    sessionId: string,
    role?: TokenRole,
    options?: { data?: string; socketId?: string },
  ): Promise<JoinedClient>;
  close(): Promise<void>;
}

/** Starts the fixture. Close it in `afterAll`/`finally`. */
export async function startRealtimeFixture(
  options: Omit<RealtimeOptions, 'store'> = {},
): Promise<RealtimeFixture> {
  const store = createMemoryStore();
  const { project } = await createProject(store, { name: 'Realtime tests' });
  const realtime = createRealtime({ ...options, store });
  const server = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  realtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const wsUrl = `ws://127.0.0.1:${port}/rumorwebsocketsv2`;
  const opentok = new OpenTok(project.apiKey, project.apiSecret);
  const clients: RumorTestClient[] = [];

  const fixture: RealtimeFixture = {
    store,
    project,
    realtime,
    server,
    wsUrl,
    async createSession(mediaMode = 'relayed') {
      const sessionId = encodeSessionId({ ...project, location: null, createdAt: Date.now() });
      await store.sessions.create({
        sessionId,
        applicationId: project.applicationId,
        mediaMode,
        archiveMode: 'manual',
        location: null,
        e2ee: false,
        archiveName: null,
        archiveResolution: null,
        createdAt: Date.now(),
      });
      return sessionId;
    },
    token: (sessionId, role = 'publisher', data) => opentok.generateToken(sessionId, { role, data }),
    uri: (sessionId, ...pairs) => buildRaptorUri(project.apiKey, sessionId, ...pairs),
    async join(sessionId, role = 'publisher', joinOptions = {}) {
      const url = joinOptions.socketId
        ? `${wsUrl}?socketId=${joinOptions.socketId}&attempt=${randomUUID()}`
        : wsUrl;
      const client = await RumorTestClient.open(url);
      clients.push(client);
      const connectionId = randomUUID();
      client.hello(connectionId, sessionTopic(project.apiKey, sessionId));
      const reply = await client.request(
        'create',
        fixture.uri(sessionId, ['connection', connectionId]),
        { userAgent: 'rumor-test-client', clientVersion: 'js-2.35.2', capabilities: ['forceMute'] },
        { headers: { 'X-TB-TOKEN-AUTH': fixture.token(sessionId, role, joinOptions.data) } },
      );
      if (reply.status !== 200) throw new Error(`join failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return { client, connectionId, reply };
    },
    async close() {
      for (const client of clients) if (client.open) await client.drop();
      await realtime.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
  return fixture;
}
