/**
 * `dial`, `playDtmf` and `playDtmfToConnection`: checks a dial request against the session and its
 * token, joins the session as the call's connection, publishes its audio stream, answers with the call,
 * and places the call in the background ({@link SipCall}); keeps the running calls for DTMF and so the
 * server can hang them up when it closes. Each call's progress becomes `sipCallEvent` webhooks.
 *
 * The dial checks run cheapest first, so the error names what is wrong before anything joins: the
 * session (404 40401), its media (relayed 409 40911, end-to-end encrypted 409 40912), the headers (a
 * name without `X-` 400 40001, over 8192 bytes 400 40016), the URI's transport (400 40001), encrypted
 * media or video (400 40018, not supported here), the token (400 40017), `sip.streams` (404 40412).
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../http/errors.js';
import type { ProjectEvents } from '../../projects/project-events.js';
import type { Realtime } from '../../realtime/realtime.js';
import type { ProjectRecord, Store } from '../../store/types.js';
import type { SessionClient } from '../audio-connector/session-client.js';
import { joinSessionAsService } from '../join-session.js';
import { admitServiceToken, projectSession } from '../service-checks.js';
import { DTMF_DIGITS, MAX_DTMF_DIGITS } from './dtmf.js';
import { SipCall, type SipCallLimits, type SipCallReport } from './sip-call.js';
import { parseSipUri, SipUriError, transportOf } from './uri.js';

/** The request body, as validated against the spec (`SipDialParams`). */
export interface SipDialParams {
  sessionId: string;
  token: string;
  sip: {
    uri: string;
    from?: string;
    headers?: Record<string, string>;
    auth?: { username: string; password: string };
    secure?: boolean;
    video?: boolean;
    observeForceMute?: boolean;
    streams?: string[];
  };
}

/** The `200` answer (`SipCall`). */
export interface SipCallInfo {
  id: string;
  connectionId: string;
  streamId: string;
  projectId: string;
  sessionId: string;
  createdAt: number;
  updatedAt: number;
}

/** The most bytes `sip.headers` may hold (names and values, UTF-8). */
export const MAX_SIP_HEADER_BYTES = 8192;

/** The defaults of {@link SipCallLimits}: the spec's 5 minutes without media and 6 hours. */
export const DEFAULT_SIP_LIMITS: SipCallLimits = {
  connectTimeoutMs: 10_000,
  ringTimeoutMs: 180_000,
  mediaTimeoutMs: 5 * 60_000,
  maxDurationMs: 6 * 3_600_000,
};

/** Options of {@link SipService}. */
export interface SipServiceOptions {
  store: Store;
  realtime: Realtime;
  events: ProjectEvents;
  now: () => number;
  logger: { warn: (details: Record<string, unknown>, message: string) => void };
  /** Overrides of {@link DEFAULT_SIP_LIMITS} (trusted CAs, advertised address, shorter timeouts in tests). */
  limits?: Partial<SipCallLimits>;
}

interface RunningCall {
  call: SipCall;
  info: SipCallInfo;
  project: ProjectRecord;
}

/** Dials and tracks SIP calls; see the file comment. */
export class SipService {
  readonly #options: SipServiceOptions;
  readonly #limits: SipCallLimits;
  /** Running calls by connection ID. */
  readonly #calls = new Map<string, RunningCall>();
  #closed = false;

  constructor(options: SipServiceOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_SIP_LIMITS, ...options.limits };
  }

  /** The calls running now. */
  get running(): readonly SipCall[] {
    return [...this.#calls.values()].map((running) => running.call);
  }

  /**
   * Dials `params.sip.uri` into the session; throws `ApiError`s as listed in the file comment.
   * `projectId` is the project as named in the request path (echoed in the answer).
   */
  async dial(project: ProjectRecord, params: SipDialParams, projectId: string): Promise<SipCallInfo> {
    const { store, realtime, now } = this.#options;
    const { sessionId, sip } = params;
    const record = await projectSession(store, project, sessionId);
    if (record.mediaMode === 'relayed') {
      throw new ApiError(
        'SIP_SESSION_RELAYED',
        `Session ${sessionId} is relayed; SIP calls need a routed session`,
      );
    }
    if (record.e2ee) {
      throw new ApiError(
        'SIP_SESSION_E2EE',
        `Session ${sessionId} uses end-to-end encryption; SIP calls cannot join it`,
      );
    }
    const headers = checkHeaders(sip.headers ?? {});
    try {
      transportOf(parseSipUri(sip.uri));
    } catch (error) {
      if (error instanceof SipUriError) throw new ApiError('INVALID_FIELD', `body.sip.uri: ${error.message}`);
      throw error;
    }
    if (sip.secure) {
      throw new ApiError(
        'SIP_MEDIA_UNSUPPORTED',
        'body.sip.secure: SRTP media is not supported by this deployment; use ;transport=tls to secure the signalling',
      );
    }
    if (sip.video) {
      throw new ApiError(
        'SIP_MEDIA_UNSUPPORTED',
        'body.sip.video: SIP video calls are not supported by this deployment',
      );
    }
    const token = await admitServiceToken(store, params, now(), {
      error: 'SIP_TOKEN_INVALID',
      message: `body.token is not a valid client token for session ${sessionId}`,
    });
    if (token.role === 'subscriber') {
      throw new ApiError(
        'SIP_TOKEN_INVALID',
        'body.token has the subscriber role, which cannot publish the SIP call’s stream; use a publisher token',
      );
    }
    const live = realtime.registry.get(sessionId);
    for (const streamId of sip.streams ?? []) {
      if (!live?.stream(streamId)) {
        throw new ApiError('STREAM_NOT_FOUND', `Stream ${streamId} was not found in session ${sessionId}`);
      }
    }
    if (this.#closed) throw new ApiError('NOT_READY');

    const id = randomUUID();
    const streamId = randomUUID();
    let call: SipCall | null = null;
    const client = joinSessionAsService({
      registry: realtime.registry,
      project,
      session: record,
      token,
      userAgent: `Parley SIP ${id}`,
      now,
      onEnded: () => void call?.end('700', 'Normal Clearing'),
      onMessage: (message) => call?.sessionMessage(message),
    });
    let publisher: Awaited<ReturnType<SessionClient['publishAudio']>>;
    try {
      publisher = await client.publishAudio(streamId, sip.uri);
    } catch (error) {
      await client.leave();
      throw error;
    }
    const createdAt = now();
    const info: SipCallInfo = {
      id,
      connectionId: client.connection.id,
      streamId,
      projectId,
      sessionId,
      createdAt,
      updatedAt: createdAt,
    };
    const report = (event: SipCallReport) => this.#report(project, info, event);
    call = new SipCall(
      {
        id,
        uri: sip.uri,
        from: sip.from ? sip.from : null,
        headers,
        auth: sip.auth ?? null,
        observeForceMute: sip.observeForceMute ?? false,
        streams: sip.streams && sip.streams.length > 0 ? sip.streams : null,
        streamId,
      },
      this.#limits,
      {
        client,
        publisher,
        source: realtime.mediaSources.get(sessionId),
        report,
        warn: (details, message) => this.#options.logger.warn({ sipCallId: id, ...details }, message),
      },
    );
    const running = { call, info, project };
    this.#calls.set(info.connectionId, running);
    call.onEnded(() => this.#calls.delete(info.connectionId));
    this.#report(project, info, { event: 'callCreated' });
    call.start();
    return info;
  }

  /**
   * Plays digits to every SIP call of a session (`connectionId` null) or to one. Throws 400 40015 for bad
   * digits, 404 40401 for an unknown session, 404 40411 for a connection not in the session, 409 40913
   * for a connection that is not a SIP call.
   */
  async playDtmf(
    project: ProjectRecord,
    sessionId: string,
    digits: string,
    connectionId: string | null,
  ): Promise<void> {
    if (typeof digits !== 'string' || digits.length > MAX_DTMF_DIGITS || !DTMF_DIGITS.test(digits)) {
      throw new ApiError(
        'DTMF_DIGITS_INVALID',
        'One of the properties — digits or sessionId — is invalid. body.digits may contain only 0-9, *, # and p (1 to 256 characters)',
      );
    }
    await projectSession(this.#options.store, project, sessionId);
    const calls = [...this.#calls.values()].filter((running) => running.info.sessionId === sessionId);
    if (connectionId === null) {
      for (const running of calls) running.call.playDtmf(digits);
      return;
    }
    const target = calls.find((running) => running.info.connectionId === connectionId);
    if (target) {
      target.call.playDtmf(digits);
      return;
    }
    if (!this.#options.realtime.registry.get(sessionId)?.connection(connectionId)) {
      throw new ApiError('CONNECTION_NOT_CONNECTED');
    }
    throw new ApiError(
      'CONNECTION_NOT_SIP_CALL',
      `Connection ${connectionId} is not a SIP call; DTMF digits can only be played to SIP calls`,
    );
  }

  /** Hangs up every call (server shutdown): BYE or CANCEL, and their connections leave. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.running.map((call) => call.end('703', 'Unexpected Clearing')));
  }

  #report(project: ProjectRecord, info: SipCallInfo, report: SipCallReport | { event: 'callCreated' }): void {
    const timestamp = this.#options.now();
    info.updatedAt = timestamp;
    const base = {
      sessionId: info.sessionId,
      projectId: project.apiKey,
      applicationId: project.applicationId,
      event: report.event,
      timestamp,
      call: { id: info.id, connectionId: info.connectionId, createdAt: info.createdAt },
    };
    const extra =
      report.event === 'callUpdated'
        ? { state: report.state }
        : report.event === 'callDestroyed'
          ? { reason_code: report.reasonCode, reason_message: report.reasonMessage }
          : {};
    this.#options.events.emit(project, 'sipCallEvent', { ...base, ...extra });
  }
}

/** Checks custom headers: `X-` names, single-line values, 8192 bytes in all. */
function checkHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[Xx]-[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      throw new ApiError('INVALID_FIELD', `body.sip.headers name "${name}" must begin with X-`);
    }
    if (/[\r\n]/.test(value)) {
      throw new ApiError('INVALID_FIELD', `body.sip.headers["${name}"] must be a single line`);
    }
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  if (bytes > MAX_SIP_HEADER_BYTES) {
    throw new ApiError(
      'SIP_HEADERS_TOO_LARGE',
      `body.sip.headers must be at most ${MAX_SIP_HEADER_BYTES} bytes in total (names and values; got ${bytes})`,
    );
  }
  return { ...headers };
}
