/**
 * Starting and stopping the reference server: open the store, create the default project on first start
 * (writing `credentials.json`), listen, print where and how to connect, and shut down gracefully — refuse
 * new requests, let in-flight ones finish (bounded by `shutdownTimeoutMs`), then close the store.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from './app.js';
import { localUrl, type ServerConfig } from './config.js';
import { TurnBatchedDestination } from './logging/turn-batched-destination.js';
import { superviseChildProcesses } from './process/supervision.js';
import type { AccountCredentials } from './projects/credentials.js';
import {
  type CredentialsFile,
  credentialsFileFor,
  ensureDataDir,
  loadOrCreateAccount,
  patchCredentialsFile,
  readCredentialsFile,
  writeCredentialsFile,
} from './projects/credentials-file.js';
import { createProject, DEFAULT_PROJECT_NAME } from './projects/projects.js';
import { loadOrCreateSecretBox } from './projects/secret-box.js';
import { createSfuEngine, type SfuEngine, type SfuEngineOptions } from './sfu/index.js';
import { loadNativeDatapath } from './sfu/native/datapath.js';
import { WorkerPoolEngine } from './sfu/workers/pool-engine.js';
import { createMemoryStore } from './store/memory-store.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/types.js';

/** The database file inside the data directory. */
export const DATABASE_FILE = 'parley.db';

/** A started server. */
export interface RunningServer {
  /** The base URL clients use. */
  url: string;
  app: FastifyInstance;
  store: Store;
  account: AccountCredentials;
  /** The credentials of the default project when this start created it (first start), else null. */
  created: CredentialsFile | null;
  /** The SFU engine carrying routed media (a worker pool with `--sfu-workers` above 0). */
  sfu: SfuEngine;
  /** Drains and stops the server, then closes the store. Safe to call more than once. */
  close(): Promise<void>;
}

/** Options of {@link startServer} besides the configuration. */
export interface StartOptions {
  /** Where the banner (URL and credentials) is written. Default `process.stdout`. */
  out?: { write(text: string): unknown };
  /**
   * The logger. Default: pino at `config.logLevel` on standard output, each event-loop turn's lines written
   * together ({@link TurnBatchedDestination}).
   */
  logger?: Logger;
}

async function openStore(config: ServerConfig): Promise<Store> {
  if (config.store === 'memory') return createMemoryStore();
  const file = join(config.dataDir, DATABASE_FILE);
  // The database holds API secrets: create it owner-only (an empty file is an empty SQLite database, and
  // SQLite gives its -wal and -shm files the same mode).
  await writeFile(file, '', { flag: 'a', mode: 0o600 });
  return openSqliteStore(file, { durability: config.durability });
}

/** Starts the server described by `config`. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const out = options.out ?? process.stdout;
  const destination = options.logger ? undefined : new TurnBatchedDestination(process.stdout);
  const logger = options.logger ?? pino({ level: config.logLevel }, destination);
  // Everything made before a failing step is released in the `catch` below: a server that cannot start
  // leaves no open database, child supervision or exit listener behind in the process that tried.
  let store: Store | undefined;
  let children: Awaited<ReturnType<typeof superviseChildProcesses>> | undefined;
  let app: FastifyInstance | undefined;
  let sfu: SfuEngine | undefined;
  try {
    await ensureDataDir(config.dataDir);
    const account = await loadOrCreateAccount(config.dataDir);
    const secrets = await loadOrCreateSecretBox(config.dataDir);
    store = await openStore(config);
    // Before anything spawns: kill the media children (ffmpeg) a crashed previous server left running.
    children = await superviseChildProcesses(config.dataDir, logger);
    sfu = await startSfuEngine(config);
    logDatapath(config, logger);
    const provisionalUrl = config.publicUrl ?? localUrl(config.host, config.port);
    const created = await bootstrapDefaultProject(store, account, config.dataDir, provisionalUrl);
    let publicUrl = provisionalUrl;
    app = await buildApp({
      store,
      account,
      logger,
      secrets,
      bodyLimit: config.bodyLimit,
      rateLimit: config.rateLimit > 0 ? { ratePerSecond: config.rateLimit, burst: config.rateBurst } : null,
      playground: config.playground ? {} : null,
      realtime: { sfu, iceServers: config.turnServers },
      recording: {
        directory: config.recordingsDir ?? join(config.dataDir, 'recordings'),
        ffmpegPath: config.ffmpegPath,
      },
      renders: config.chromiumPath === null ? {} : { chromiumPath: config.chromiumPath },
      sip: {
        limits: {
          ...(config.sipAddress === null ? {} : { advertisedAddress: config.sipAddress }),
          ...(config.sipTlsCa === null ? {} : { tlsCa: config.sipTlsCa }),
        },
      },
      // Read lazily: the port is known once listening (`--port 0`).
      publicUrl: () => publicUrl,
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = config.publicUrl ?? localUrl(config.host, port);
    publicUrl = url;
    // The file may carry the provisional URL (port 0) or a previous run's port.
    await patchCredentialsFile(config.dataDir, { apiUrl: url });
    out.write(banner(url, config, created, await readCredentialsFile(config.dataDir)));

    const running = app;
    const engine = sfu;
    const openedStore = store;
    const supervision = children;
    let closing: Promise<void> | null = null;
    return {
      url,
      app: running,
      store,
      account,
      created: created ? { ...created, apiUrl: url } : null,
      sfu: engine,
      close: () => {
        closing ??= shutdown(running, openedStore, config.shutdownTimeoutMs, logger)
          .finally(() => engine.close())
          .finally(() => supervision.close())
          .finally(() => destination?.close());
        return closing;
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    sfu?.close();
    await store?.close().catch(() => undefined);
    await children?.close();
    destination?.close();
    throw error;
  }
}

/**
 * The SFU engine `parley start` runs: in this process (`--sfu-workers 0`), or a pool of worker processes
 * that is ready (every worker started) before the server accepts clients.
 */
async function startSfuEngine(config: ServerConfig): Promise<SfuEngine> {
  if (config.sfuWorkers === 0) return createSfuEngine(sfuEngineOptions(config));
  const pool = new WorkerPoolEngine({ ...sfuEngineOptions(config), workers: config.sfuWorkers });
  try {
    await pool.ready();
  } catch (error) {
    pool.close();
    throw error;
  }
  return pool;
}

/** Says which SFU datapath forwards packets, and why not the native one when `auto` fell back. */
function logDatapath(config: ServerConfig, logger: Logger): void {
  if (config.sfuDatapath === 'javascript') {
    logger.info({ sfuDatapath: 'javascript' }, 'SFU datapath: JavaScript (--sfu-datapath javascript)');
    return;
  }
  const { datapath, reason } = loadNativeDatapath();
  if (datapath !== undefined) logger.info({ sfuDatapath: 'native' }, 'SFU datapath: native');
  else logger.warn({ sfuDatapath: 'javascript', reason }, `SFU datapath: JavaScript, because ${reason}`);
}

/** The SFU engine's options from the media flags (the engine validates them again, naming its fields). */
export function sfuEngineOptions(config: ServerConfig): SfuEngineOptions {
  return {
    listenIps: config.mediaListenIps,
    ...(config.mediaAnnouncedAddress ? { announcedAddress: config.mediaAnnouncedAddress } : {}),
    ...(config.mediaPortMin !== null && config.mediaPortMax !== null
      ? { portRange: { min: config.mediaPortMin, max: config.mediaPortMax } }
      : {}),
    iceServers: config.turnServers,
    simulcast: config.simulcast,
    sharedPort: config.mediaSharedPort,
    datapath: config.sfuDatapath,
  };
}

/**
 * Creates the default project when the store has none, and writes `credentials.json`. Returns the new
 * credentials, or null when projects already exist.
 */
export async function bootstrapDefaultProject(
  store: Store,
  account: AccountCredentials,
  dataDir: string,
  apiUrl: string,
): Promise<CredentialsFile | null> {
  if ((await store.projects.list()).length > 0) return null;
  const { credentials } = await createProject(store, { name: DEFAULT_PROJECT_NAME, account });
  const file = credentialsFileFor(credentials, account, apiUrl);
  await writeCredentialsFile(dataDir, file);
  return file;
}

async function shutdown(
  app: FastifyInstance,
  store: Store,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  logger.info('shutting down: refusing new requests and draining');
  app.parley.lifecycle.setPhase('draining');
  // Requests still running after the timeout lose their sockets; the store is closed either way.
  const timer = setTimeout(() => {
    logger.warn({ timeoutMs }, 'drain timed out; closing open connections');
    app.server.closeAllConnections();
  }, timeoutMs);
  timer.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
    await store.close();
  }
  logger.info('stopped');
}

function banner(
  url: string,
  config: ServerConfig,
  created: CredentialsFile | null,
  file: CredentialsFile | null,
): string {
  const credentialsPath = join(config.dataDir, 'credentials.json');
  const lines = [
    '',
    `Parley reference server listening on ${url} (pid ${process.pid})`,
    `Data directory: ${config.dataDir} (${config.store} store)`,
  ];
  if (created) {
    lines.push(
      '',
      `Created the default project; its credentials are in ${credentialsPath} (mode 0600):`,
      `  API URL:          ${url}`,
      `  Application ID:   ${created.applicationId}`,
      `  API key:          ${created.apiKey}`,
      `  API secret:       ${created.apiSecret}`,
      `  Webhook secret:   ${created.webhookSecret}`,
      `  Account key:      ${created.accountKey}`,
      `  Account secret:   ${created.accountSecret}`,
      '  Private key (PKCS#8 PEM, shown only now and kept in credentials.json):',
      ...created.privateKey
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`),
    );
  } else if (file) {
    lines.push(
      '',
      `Default project credentials: ${credentialsPath}`,
      `  Application ID:   ${file.applicationId}`,
      `  API key:          ${file.apiKey}`,
    );
  }
  if (config.playground) {
    lines.push(
      '',
      `Playground: ${url}/playground`,
      '  (development only: it hands out tokens of the default project to anyone who can reach it;',
      '  turn it off with --playground off)',
    );
  }
  lines.push('', 'Press Ctrl+C (SIGINT) or send SIGTERM to stop.', '');
  return `${lines.join('\n')}\n`;
}
