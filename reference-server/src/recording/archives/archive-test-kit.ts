/**
 * Test support (not a test file): an archive manager on a memory store with one project, the real file
 * store in a temporary directory, and recording stand-ins for the realtime layer — a media-source
 * provider holding {@link FakeMediaSource}s, a notifier and a webhook sink that remember every call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectCredentials } from '../../projects/credentials.js';
import { createProject } from '../../projects/projects.js';
import { createMemoryStore } from '../../store/memory-store.js';
import type { ProjectRecord, SessionRecord, Store } from '../../store/types.js';
import { encodeSessionId } from '../../tokens/session-id.js';
import type { ActiveArchive, ArchiveNotifier } from '../media-source.js';
import { ArchiveFiles } from '../storage/index.js';
import { FakeMediaSources } from '../testing/fake-media-sources.js';
import { RtpTestSource, type RtpTestSourceOptions } from '../testing/rtp-test-source.js';
import { ArchiveManager, type ArchiveManagerOptions } from './archive-manager.js';

/** Remembers every `archivesChanged` call. */
export class RecordingNotifier implements ArchiveNotifier {
  readonly calls: { sessionId: string; active: ActiveArchive[] }[] = [];
  archivesChanged(sessionId: string, active: readonly ActiveArchive[]): void {
    this.calls.push({ sessionId, active: [...active] });
  }
}

/** Remembers every webhook the manager emits. */
export class RecordingEvents {
  readonly sent: { webhook: string; payload: Record<string, unknown> }[] = [];
  emit(_project: ProjectRecord, webhook: string, payload: Record<string, unknown>): void {
    this.sent.push({ webhook, payload });
  }
  /** The statuses sent for one archive, in order. */
  statuses(archiveId: string): unknown[] {
    return this.sent.filter((e) => e.payload.id === archiveId).map((e) => e.payload.status);
  }
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Everything a manager test needs. */
export interface ArchiveKit {
  root: string;
  store: Store;
  project: ProjectRecord;
  /** The project's credentials (application ID and private key), for the SDKs. */
  credentials: ProjectCredentials;
  provider: FakeMediaSources;
  notifier: RecordingNotifier;
  events: RecordingEvents;
  files: ArchiveFiles;
  manager: ArchiveManager;
  /** A new manager over the same store and directories (a restarted server). */
  restart(options?: Partial<ArchiveManagerOptions>): ArchiveManager;
  /** Stores a session of the project. */
  createSession(options?: Partial<SessionRecord>): Promise<string>;
  /** Starts real RTP test media, closed by `close()`. */
  media(options?: RtpTestSourceOptions): Promise<RtpTestSource>;
  close(): Promise<void>;
}

/** Builds a kit; `options` override the manager's. */
export async function createArchiveKit(options: Partial<ArchiveManagerOptions> = {}): Promise<ArchiveKit> {
  const root = await mkdtemp(join(tmpdir(), 'parley-archives-'));
  const store = createMemoryStore();
  const { project, credentials } = await createProject(store, { name: 'Archive tests' });
  const provider = new FakeMediaSources();
  const notifier = new RecordingNotifier();
  const events = new RecordingEvents();
  const files = new ArchiveFiles({
    directory: join(root, 'files'),
    signingSecret: 'a-test-signing-secret-of-32-bytes',
    baseUrl: () => 'http://127.0.0.1:9',
  });
  const managers: ArchiveManager[] = [];
  const build = (overrides: Partial<ArchiveManagerOptions>): ArchiveManager => {
    const manager = new ArchiveManager({
      store,
      events,
      mediaSources: provider,
      notifier,
      files,
      workDirectory: join(root, 'work'),
      now: Date.now,
      logger: silent,
      ...options,
      ...overrides,
    });
    managers.push(manager);
    return manager;
  };
  const sources: RtpTestSource[] = [];
  return {
    root,
    store,
    project,
    credentials,
    provider,
    notifier,
    events,
    files,
    manager: build({}),
    restart: (overrides = {}) => build(overrides),
    async createSession(session = {}) {
      const createdAt = Date.now();
      const sessionId = encodeSessionId({
        apiKey: project.apiKey,
        applicationId: project.applicationId,
        location: null,
        createdAt,
      });
      await store.sessions.create({
        sessionId,
        applicationId: project.applicationId,
        mediaMode: 'routed',
        archiveMode: 'manual',
        location: null,
        e2ee: false,
        archiveName: null,
        archiveResolution: null,
        createdAt,
        ...session,
      });
      return sessionId;
    },
    async media(mediaOptions = {}) {
      const source = new RtpTestSource(mediaOptions);
      await source.start();
      sources.push(source);
      return source;
    },
    async close() {
      await Promise.all(managers.map((m) => m.close().catch(() => undefined)));
      await Promise.all(sources.map((s) => s.close()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
