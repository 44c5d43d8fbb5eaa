/**
 * The whole app (`buildApp`) listening on 127.0.0.1 (port 0), with one project, for tests that need real
 * HTTP and WebSocket clients: session info, the REST live operations and browser tests.
 */
import { randomUUID } from 'node:crypto';
import { sessionTopic } from '@parley/protocol';
import OpenTok from 'opentok';
import type { AppOptions } from '../../../src/app.js';
import type { SessionRecord, TokenRole } from '../../../src/store/types.js';
import { createHarness, type Harness } from '../../../src/testing/harness.js';
import { encodeSessionId } from '../../../src/tokens/session-id.js';
import { RumorTestClient, type StatusReply } from './rumor-test-client.js';

/** A running app. */
export interface AppFixture {
  harness: Harness;
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** The official `opentok` SDK pointed at the app, with the project's API key and secret. */
  opentok: OpenTok;
  createSession(mediaMode?: SessionRecord['mediaMode']): Promise<string>;
  token(sessionId: string, role?: TokenRole, data?: string): string;
  /** Joins a session over the signaling WebSocket, as OpenTok.js does. */
  join(
    sessionId: string,
    role?: TokenRole,
  ): Promise<{ client: RumorTestClient; connectionId: string; reply: StatusReply }>;
  /** Sends a signal through the REST API with the `opentok` SDK (to one connection when given). */
  opentokSignal(
    sessionId: string,
    payload: { type: string; data: string },
    connectionId?: string,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Starts the app on a free loopback port. */
export async function startAppFixture(options: Partial<AppOptions> = {}): Promise<AppFixture> {
  const harness = await createHarness(options);
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  const address = harness.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on TCP');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const { project } = harness;
  const opentok = new OpenTok(project.apiKey, project.apiSecret, { apiUrl: baseUrl });
  const clients: RumorTestClient[] = [];
  const fixture: AppFixture = {
    harness,
    baseUrl,
    opentok,
    async createSession(mediaMode = 'relayed') {
      const now = Date.now();
      const sessionId = encodeSessionId({ ...project, location: null, createdAt: now });
      await harness.store.sessions.create({
        sessionId,
        applicationId: project.applicationId,
        mediaMode,
        archiveMode: 'manual',
        location: null,
        e2ee: false,
        archiveName: null,
        archiveResolution: null,
        createdAt: now,
      });
      return sessionId;
    },
    token: (sessionId, role = 'publisher', data) => opentok.generateToken(sessionId, { role, data }),
    async join(sessionId, role = 'publisher') {
      const client = await RumorTestClient.open(`${baseUrl.replace('http', 'ws')}/rumorwebsocketsv2`);
      clients.push(client);
      const connectionId = randomUUID();
      client.hello(connectionId, sessionTopic(project.apiKey, sessionId));
      const reply = await client.request(
        'create',
        `${sessionTopic(project.apiKey, sessionId)}/connection/${connectionId}`,
        { userAgent: 'app-fixture' },
        { headers: { 'X-TB-TOKEN-AUTH': fixture.token(sessionId, role) } },
      );
      if (reply.status !== 200) throw new Error(`join failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return { client, connectionId, reply };
    },
    opentokSignal(sessionId, payload, connectionId) {
      const signal = (
        opentok as unknown as {
          signal(
            s: string,
            c: string | null,
            p: { type: string; data: string },
            cb: (error: Error | null) => void,
          ): void;
        }
      ).signal.bind(opentok);
      return new Promise<void>((resolve, reject) =>
        signal(sessionId, connectionId ?? null, payload, (error) => (error ? reject(error) : resolve())),
      );
    },
    async close() {
      for (const client of clients) if (client.open) await client.drop();
      await harness.close();
    },
  };
  return fixture;
}
