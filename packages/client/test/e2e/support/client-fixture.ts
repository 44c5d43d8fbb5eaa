/**
 * What every Chromium suite of the client needs: the bundle built into a temporary folder and served
 * from a loopback origin of its own, the real reference server (`buildApp`, in process, on 127.0.0.1)
 * and headless Chromium, plus helpers that join a session as a Parley client or as the official
 * OpenTok.js client (through the reference server's own browser harness).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppOptions } from '../../../../../reference-server/src/app.js';
import { launchTestBrowser, type TestBrowser } from '../../../../../reference-server/test/browser/browser.js';
import { Participant } from '../../../../../reference-server/test/browser/participant.js';
import {
  type AppFixture,
  startAppFixture,
} from '../../../../../reference-server/test/e2e/support/app-fixture.js';
import { buildClient } from '../../../scripts/build.ts';
import { type PageServer, ParleyParticipant, servePages } from './parley-participant.js';

/** A token role the tests use. */
export type Role = 'publisher' | 'moderator' | 'subscriber';

/** A running server, browser and page origin. Close it in `afterAll`. */
export interface ClientE2e {
  fx: AppFixture;
  browser: TestBrowser;
  pages: PageServer;
  /** The project's API key. */
  projectId(): string;
  /** Creates a session through the REST API, as an app would (`e2ee` sessions must be routed). */
  createSession(options: { mediaMode: 'relayed' | 'routed'; e2ee?: boolean }): Promise<string>;
  /** Joins as a Parley client (with an encryption secret for e2ee sessions). */
  parley(sessionId: string, role?: Role, secret?: string): Promise<ParleyParticipant>;
  /** Joins as an OpenTok.js client. */
  opentok(sessionId: string, role?: 'publisher' | 'moderator'): Promise<Participant>;
  close(): Promise<void>;
}

/** Builds the bundle and starts the server and Chromium. */
export async function startClientE2e(options: Partial<AppOptions> = {}): Promise<ClientE2e> {
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-client-e2e-'));
  const pages = await servePages(readFileSync(await buildClient(join(buildDir, 'dist')), 'utf8'));
  const fx = await startAppFixture(options);
  const browser = await launchTestBrowser();
  const projectId = () => fx.harness.project.apiKey;
  return {
    fx,
    browser,
    pages,
    projectId,
    createSession: ({ mediaMode, e2ee = false }) => {
      // The reference server's typings of `opentok` declare only what it uses; `createSession` is real.
      const opentok = fx.opentok as unknown as {
        createSession(
          options: { mediaMode: string; e2ee: boolean },
          callback: (error: Error | null, session?: { sessionId: string }) => void,
        ): void;
      };
      return new Promise((resolve, reject) =>
        opentok.createSession({ mediaMode, e2ee }, (error, session) =>
          error || !session ? reject(error ?? new Error('no session')) : resolve(session.sessionId),
        ),
      );
    },
    async parley(sessionId, role = 'publisher', secret) {
      const participant = await ParleyParticipant.open(browser.context, pages);
      await participant.connect(
        fx.baseUrl,
        projectId(),
        sessionId,
        fx.token(sessionId, role, `role=${role}`),
        secret,
      );
      return participant;
    },
    async opentok(sessionId, role = 'publisher') {
      const participant = new Participant(await browser.open(fx.baseUrl));
      await participant.connect(projectId(), sessionId, fx.token(sessionId, role, `role=${role}`));
      return participant;
    },
    async close() {
      await browser.close();
      await fx.close();
      await pages.close();
      rmSync(buildDir, { recursive: true, force: true });
    },
  };
}
