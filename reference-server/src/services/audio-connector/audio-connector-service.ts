/**
 * `connectAudio`: checks a request against the session and its token, opens the WebSocket, joins the
 * session as a client and starts the {@link AudioConnector}; keeps the running connectors so the server
 * can stop them when it closes.
 *
 * The checks run cheapest and most specific first, so the error names what is wrong before anything is
 * opened: the session (404), its media (relayed 409 40961, end-to-end encrypted 409 40964), the header
 * size (400 40063), the token (400 40060; a subscriber token for a two-way connector 400 40062), then
 * the WebSocket (400 40064 when it is not open within 6 s). The socket is opened before joining, so a
 * server that never answers leaves no connection (and no webhooks) behind.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../http/errors.js';
import type { Realtime } from '../../realtime/realtime.js';
import type { ProjectRecord, Store } from '../../store/types.js';
import { joinSessionAsService } from '../join-session.js';
import { admitServiceToken, projectSession } from '../service-checks.js';
import { AudioConnector } from './audio-connector.js';
import { type AudioFraming, AudioSocketOpenError, openAudioSocket } from './audio-socket.js';
import type { SessionClient } from './session-client.js';

/** The request body, as validated against the spec (`AudioConnectorParams`). */
export interface AudioConnectorParams {
  sessionId: string;
  token: string;
  websocket: {
    uri: string;
    streams?: string[];
    headers?: Record<string, string>;
    audioRate?: 8000 | 16_000 | 24_000;
    bidirectional?: boolean;
    audioTransport?: {
      transport?: 'binary' | 'json';
      encoding?: 'base64';
      audio_field?: string;
      receive_audio_field?: string;
      static_fields?: Record<string, unknown>;
    };
  };
}

/** The `200` answer (`AudioConnection`). */
export interface AudioConnection {
  id: string;
  connectionId: string;
}

/** The most bytes `websocket.headers` may hold (names and values, UTF-8). */
export const MAX_HEADER_BYTES = 512;

/** How long the WebSocket server has to accept the connection. */
export const WEBSOCKET_OPEN_TIMEOUT_MS = 6000;

/** Options of {@link AudioConnectorService}. */
export interface AudioConnectorServiceOptions {
  store: Store;
  realtime: Realtime;
  now: () => number;
  /** Reports problems of running connectors. */
  logger: { warn: (details: Record<string, unknown>, message: string) => void };
  /** The ffmpeg executable. Default `PARLEY_FFMPEG` or `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Overrides the 6 s open timeout (tests). */
  openTimeoutMs?: number;
}

/** Starts and tracks Audio Connectors; see the file comment. */
export class AudioConnectorService {
  readonly #options: AudioConnectorServiceOptions;
  readonly #running = new Map<string, AudioConnector>();
  #closed = false;

  constructor(options: AudioConnectorServiceOptions) {
    this.#options = options;
  }

  /** The connectors running now. */
  get running(): readonly AudioConnector[] {
    return [...this.#running.values()];
  }

  /** Starts a connector for `project`; throws `ApiError`s as listed in the file comment. */
  async connect(project: ProjectRecord, params: AudioConnectorParams): Promise<AudioConnection> {
    const { store, realtime, now } = this.#options;
    const { sessionId, websocket } = params;
    const record = await projectSession(store, project, sessionId);
    if (record.mediaMode === 'relayed') throw new ApiError('CONNECT_SESSION_RELAYED');
    if (record.e2ee) throw new ApiError('SESSION_E2EE_UNSUPPORTED');
    const headers = websocket.headers ?? {};
    const headerBytes = Object.entries(headers).reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
      0,
    );
    if (headerBytes > MAX_HEADER_BYTES) {
      throw new ApiError(
        'WEBSOCKET_HEADERS_TOO_LARGE',
        `body.websocket.headers must be at most ${MAX_HEADER_BYTES} bytes in total (got ${headerBytes})`,
      );
    }
    const token = await admitServiceToken(store, params, now(), {
      error: 'CLIENT_TOKEN_INVALID',
      message: 'body.token is not a valid client token for body.sessionId',
    });
    const bidirectional = websocket.bidirectional ?? false;
    if (bidirectional && token.role === 'subscriber') throw new ApiError('CLIENT_TOKEN_CANNOT_PUBLISH');
    if (this.#closed) throw new ApiError('NOT_READY');

    const audioRate = websocket.audioRate ?? 16_000;
    let socket: Awaited<ReturnType<typeof openAudioSocket>>;
    try {
      socket = await openAudioSocket({
        uri: websocket.uri,
        headers,
        audioRate,
        framing: framingOf(websocket.audioTransport),
        openTimeoutMs: this.#options.openTimeoutMs ?? WEBSOCKET_OPEN_TIMEOUT_MS,
      });
    } catch (error) {
      if (error instanceof AudioSocketOpenError) throw new ApiError('WEBSOCKET_OPEN_FAILED', error.message);
      throw error;
    }

    const id = randomUUID();
    let connector: AudioConnector | null = null;
    let client: SessionClient;
    try {
      client = joinSessionAsService({
        registry: realtime.registry,
        project,
        session: record,
        token,
        userAgent: `Parley Audio Connector ${id}`,
        now,
        onEnded: () => void connector?.stop(),
      });
    } catch (error) {
      socket.close('The Audio Connector could not join the session');
      throw error;
    }
    connector = new AudioConnector(
      { id, audioRate, streams: websocket.streams ?? null, bidirectional, streamId: randomUUID() },
      {
        client,
        socket,
        source: realtime.mediaSources.get(sessionId),
        ffmpegPath: this.#options.ffmpegPath,
        warn: (details, message) => this.#options.logger.warn({ audioConnectorId: id, ...details }, message),
      },
    );
    this.#running.set(id, connector);
    connector.onEnded(() => this.#running.delete(id));
    try {
      await connector.start();
    } catch (error) {
      await connector.stop();
      throw error;
    }
    return { id, connectionId: client.connection.id };
  }

  /** Stops every connector (server shutdown): their sockets close and their connections leave. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.running.map((connector) => connector.stop()));
  }
}

/** The socket framing of `audioTransport` (binary PCM when absent). */
function framingOf(transport: AudioConnectorParams['websocket']['audioTransport']): AudioFraming {
  if (transport?.transport !== 'json') return { transport: 'binary' };
  const audioField = transport.audio_field ?? 'audio';
  return {
    transport: 'json',
    audioField,
    receiveAudioField: transport.receive_audio_field ?? audioField,
    staticFields: transport.static_fields ?? {},
  };
}
