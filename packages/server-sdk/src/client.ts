/**
 * The Parley client: one object per project (and/or account), with the API's operations grouped into
 * resources — `video.sessions`, `video.tokens`, `video.archives`, `video.broadcasts`, …
 */
import { type ClientOptions, type ResolvedClientConfig, resolveClientConfig } from './client-options.js';
import { RequestExecutor } from './core/request.js';
import type { ClientContext } from './core/resource.js';
import { Transport } from './core/transport.js';
import { ClientTokenMinter } from './lib/tokens.js';
import { Archives } from './resources/archives.js';
import { AudioConnector } from './resources/audio-connector.js';
import { Broadcasts } from './resources/broadcasts.js';
import { Callbacks } from './resources/callbacks.js';
import { Captions } from './resources/captions.js';
import { Connections } from './resources/connections.js';
import { Moderation } from './resources/moderation.js';
import { Projects } from './resources/projects.js';
import { Renders } from './resources/renders.js';
import { Sessions } from './resources/sessions.js';
import { Signals } from './resources/signals.js';
import { Sip } from './resources/sip.js';
import { Streams } from './resources/streams.js';
import { Tokens } from './resources/tokens.js';
import { Webhooks } from './resources/webhooks.js';
import { SDK_VERSION } from './version.js';

/**
 * A client of the Parley Video API — and of Vonage's Video API, which it is compatible with.
 *
 * @example
 * import { Parley } from '@parley/server-sdk';
 *
 * const video = new Parley({ applicationId, privateKey, baseUrl: 'http://127.0.0.1:4000' });
 * const { sessionId } = await video.sessions.create();
 * const token = await video.tokens.generate(sessionId, { role: 'publisher' });
 * for await (const archive of video.archives.list({ sessionId })) console.log(archive.id);
 */
export class Parley {
  /** Create sessions (rooms). */
  readonly sessions: Sessions;
  /** Mint client tokens locally. */
  readonly tokens: Tokens;
  /** Record sessions. */
  readonly archives: Archives;
  /** Live-stream sessions to HLS and RTMP. */
  readonly broadcasts: Broadcasts;
  /** The streams of a session and their layout classes. */
  readonly streams: Streams;
  /** The clients of a session; force one out. */
  readonly connections: Connections;
  /** Send signals to clients. */
  readonly signals: Signals;
  /** Force-mute streams. */
  readonly moderation: Moderation;
  /** Dial SIP endpoints in; play DTMF. */
  readonly sip: Sip;
  /** Render web pages into sessions (Experience Composer). */
  readonly renders: Renders;
  /** Live captions. */
  readonly captions: Captions;
  /** Stream session audio to WebSockets. */
  readonly audioConnector: AudioConnector;
  /** Register webhook URLs. */
  readonly callbacks: Callbacks;
  /** Verify signed webhooks. */
  readonly webhooks: Webhooks;
  /** Account-level project management (needs `accountApiKey` and `accountApiSecret`). */
  readonly projects: Projects;

  /** The resolved base URL, e.g. `https://video.api.vonage.com`. */
  readonly baseUrl: string;
  /** The project the client acts on: the application ID, else the API key (`undefined` for account-only clients). */
  readonly projectId: string | undefined;

  readonly #transport: Transport;

  /**
   * Builds a client. Credentials and keys are validated and imported here, once; a bad option throws
   * `InvalidArgumentError` naming it. See {@link ClientOptions} for every option and its default.
   */
  constructor(options: ClientOptions = {}) {
    const config: ResolvedClientConfig = resolveClientConfig(options);
    this.#transport = new Transport(config.transport);
    const executor = new RequestExecutor({
      baseUrl: config.baseUrl,
      transport: this.#transport,
      authenticators: config.authenticators,
      logger: config.logger,
      retry: config.retry,
      timeoutMs: config.transport.timeoutMs,
      userAgent: `parley-server-sdk/${SDK_VERSION} node/${process.versions.node}`,
      defaultHeaders: config.defaultHeaders,
    });
    const minter = new ClientTokenMinter(config.tokenCredentials);
    const context: ClientContext = { executor, projectId: config.projectId, tokens: minter };

    this.baseUrl = config.baseUrl.toString().replace(/\/$/, '');
    this.projectId = config.projectId;
    this.sessions = new Sessions(context);
    this.tokens = new Tokens(minter);
    this.archives = new Archives(context);
    this.broadcasts = new Broadcasts(context);
    this.streams = new Streams(context);
    this.connections = new Connections(context);
    this.signals = new Signals(context);
    this.moderation = new Moderation(context);
    this.sip = new Sip(context);
    this.renders = new Renders(context);
    this.captions = new Captions(context);
    this.audioConnector = new AudioConnector(context);
    this.callbacks = new Callbacks(context);
    this.webhooks = new Webhooks(config.webhookSecrets);
    this.projects = new Projects(context);
  }

  /** Closes the client's keep-alive connections. Calls made afterwards fail. */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}
