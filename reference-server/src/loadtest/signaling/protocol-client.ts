/**
 * A lean signaling client for load: it joins a session the way OpenTok.js does — session info
 * (`GET /session/{id}?extended=true` with the token in `X-OPENTOK-AUTH`), a WebSocket to the
 * `messaging_url`, Rumor `CONNECT` and `SUBSCRIBE` to the session topic, then `create` of its connection
 * with the token — ACKs every server message, PINGs after 2 s without sending, and sends signals. Unlike
 * the test client it keeps no history, so a thousand of them fit in one process.
 */
import { randomUUID } from 'node:crypto';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  RAPTOR_CONTENT_TYPE,
  type RaptorMessage,
  type RumorFrame,
  RumorHeader,
  RumorType,
  sessionTopic,
} from '@parley/protocol';
import WebSocket from 'ws';

/** What a client needs to join: the server, the session and a client token for it. */
export interface JoinTarget {
  /** Base URL of the server (`http://127.0.0.1:4000`). */
  apiUrl: string;
  /** The project's API key, as the page passes it to `OT.initSession`. */
  apiKey: string;
  sessionId: string;
  token: string;
}

/** How long each step of a join took, in ms (from the start of the join). */
export interface JoinTimings {
  /** Session info answered. */
  sessionInfoMs: number;
  /** WebSocket open. */
  socketMs: number;
  /** Connection create answered with 200 and the client's own `created` received: "sessionConnected". */
  connectedMs: number;
}

/** A server message as a listener sees it. */
export interface InboundMessage {
  /** Wall-clock time of arrival (`performance.timeOrigin + performance.now()`), before decoding. */
  receivedAt: number;
  /** The sender's address (`X-TB-FROM-ADDRESS`): a connection ID, or the server's. */
  from: string;
  /** The receiving client's connection ID. */
  to: string;
  message: RaptorMessage;
}

/** Options of {@link SignalingLoadClient.join}. */
export interface JoinOptions {
  /** Called for every server MESSAGE (after it was ACKed). */
  onMessage?: (message: InboundMessage) => void;
  /** Called once if the socket closes while joined (not through {@link SignalingLoadClient.close}). */
  onLost?: (code: number, reason: string) => void;
  /** Ask the server not to send other connections' events (`connectionEventsSuppressed`). Default false. */
  suppressConnectionEvents?: boolean;
  /** Give up on a join step after this long, in ms. Default 30000. */
  timeoutMs?: number;
}

/** A wall clock with sub-millisecond resolution that other processes on the machine share. */
export const wallClock = (): number => performance.timeOrigin + performance.now();

/** OpenTok.js sends a PING after this long without sending anything. */
const PING_AFTER_MS = 2000;
const PING = encodeRumorFrame({ type: RumorType.Ping, to: [], headers: {}, body: '' });

/** The part of the session-info answer a client uses. */
interface SessionInfo {
  sessionId: string;
  partnerId: string;
  messagingUrl: string;
  symphonyAddress: string;
}

/** One joined (or joining) client. */
export class SignalingLoadClient {
  readonly connectionId = randomUUID();
  #socket: WebSocket | null = null;
  #info: SessionInfo | null = null;
  #topic = '';
  #lastSent = 0;
  #pinger: NodeJS.Timeout | null = null;
  #closing = false;
  readonly #pending = new Map<string, (frame: RumorFrame) => void>();
  readonly #options: JoinOptions;
  #ownCreated: (() => void) | null = null;

  private constructor(options: JoinOptions) {
    this.#options = options;
  }

  /** Joins a session; rejects (after closing what it opened) when any step fails or times out. */
  static async join(
    target: JoinTarget,
    options: JoinOptions = {},
  ): Promise<{ client: SignalingLoadClient; timings: JoinTimings }> {
    const client = new SignalingLoadClient(options);
    try {
      const timings = await client.#join(target, options.timeoutMs ?? 30_000);
      return { client, timings };
    } catch (error) {
      client.close();
      throw error;
    }
  }

  async #join(target: JoinTarget, timeoutMs: number): Promise<JoinTimings> {
    const started = performance.now();
    const info = await fetchSessionInfo(target, this.connectionId, timeoutMs);
    this.#info = info;
    this.#topic = sessionTopic(info.partnerId, info.sessionId);
    const sessionInfoMs = performance.now() - started;

    const socket = new WebSocket(info.messagingUrl);
    this.#socket = socket;
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
        socket.once('close', (code) => reject(new Error(`socket closed (${code}) while opening`)));
      }),
      timeoutMs,
      'opening the WebSocket',
    );
    const socketMs = performance.now() - started;
    socket.on('message', (data: Buffer) => this.#receive(data));
    socket.on('error', () => {}); // a failure also closes the socket; 'close' reports it
    socket.once('close', (code, reason) => this.#onClose(code, reason.toString()));
    // Keepalive from the moment the socket is open, as OpenTok.js does: a join that waits long for its
    // STATUS must not look idle to the server.
    this.#pinger = setInterval(() => {
      if (performance.now() - this.#lastSent >= PING_AFTER_MS) this.#sendBytes(PING);
    }, PING_AFTER_MS / 2);

    this.#send({
      type: RumorType.Connect,
      to: [],
      headers: {
        [RumorHeader.UniqueId]: this.connectionId,
        [RumorHeader.TransactionId]: randomUUID(),
        [RumorHeader.NotifyDisconnectAddress]: info.symphonyAddress,
      },
      body: '',
    });
    this.#send({ type: RumorType.Subscribe, to: [this.#topic], headers: {}, body: '' });
    const ownCreated = new Promise<void>((resolve) => {
      this.#ownCreated = resolve;
    });
    const content: Record<string, unknown> = {
      userAgent: 'parley-signaling-load',
      clientVersion: 'js-2.35.2',
      capabilities: ['forceMute'],
    };
    if (this.#options.suppressConnectionEvents) content.connectionEventsSuppressed = true;
    const status = await this.#request(
      'create',
      `${this.#topic}/connection/${this.connectionId}`,
      content,
      { [RumorHeader.TokenAuth]: target.token },
      timeoutMs,
    );
    if (status.code !== 200) throw new Error(`connection create answered ${status.code}: ${status.body}`);
    await withTimeout(ownCreated, timeoutMs, 'the own connection created message');
    return { sessionInfoMs, socketMs, connectedMs: performance.now() - started };
  }

  /** Sends a signal to the whole session; resolves with the STATUS code. */
  async signal(type: string, data: string, timeoutMs = 30_000): Promise<number> {
    const uri = `${this.#topic}/signal/${randomUUID()}`;
    const status = await this.#request('signal', uri, { type, data }, {}, timeoutMs);
    return status.code;
  }

  /** Says DISCONNECT and closes the socket, as `session.disconnect()` does. */
  close(): void {
    this.#closing = true;
    if (this.#pinger) clearInterval(this.#pinger);
    const socket = this.#socket;
    if (!socket) return;
    if (socket.readyState === WebSocket.OPEN) {
      this.#send({ type: RumorType.Disconnect, to: [], headers: { [RumorHeader.Reconnect]: '' }, body: '' });
      socket.close(1000, 'The connection successfully completed the purpose for which it was created.');
    } else if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
    }
  }

  async #request(
    method: string,
    uri: string,
    content: Record<string, unknown>,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<{ code: number; body: string }> {
    const transactionId = randomUUID();
    const reply = new Promise<RumorFrame>((resolve) => this.#pending.set(transactionId, resolve));
    this.#send({
      type: RumorType.Message,
      to: [this.#info?.symphonyAddress ?? ''],
      headers: {
        [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
        [RumorHeader.TransactionId]: transactionId,
        [RumorHeader.FromAddress]: this.connectionId,
        ...headers,
      },
      body: JSON.stringify({ method, uri, content }),
    });
    try {
      const frame = await withTimeout(reply, timeoutMs, `the STATUS of ${method} ${uri}`);
      return { code: Number(frame.headers[RumorHeader.Status]), body: frame.body };
    } finally {
      this.#pending.delete(transactionId);
    }
  }

  #receive(data: Buffer): void {
    const receivedAt = wallClock();
    const frame = decodeRumorFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const transactionId = frame.headers[RumorHeader.TransactionId] ?? '';
    if (frame.type === RumorType.Status) {
      this.#pending.get(transactionId)?.(frame);
      return;
    }
    if (frame.type !== RumorType.Message) return; // PONG
    const from = frame.headers[RumorHeader.FromAddress] ?? '';
    // The ACK OpenTok.js sends for every server message.
    this.#send({
      type: RumorType.Status,
      to: [from],
      headers: { [RumorHeader.TransactionId]: transactionId, [RumorHeader.FromAddress]: this.connectionId },
      body: '',
    });
    const message = JSON.parse(frame.body) as RaptorMessage;
    if (
      this.#ownCreated &&
      message.method === 'created' &&
      message.uri.endsWith(`/connection/${this.connectionId}`)
    ) {
      this.#ownCreated();
      this.#ownCreated = null;
    }
    this.#options.onMessage?.({ receivedAt, from, to: this.connectionId, message });
  }

  #onClose(code: number, reason: string): void {
    if (this.#pinger) clearInterval(this.#pinger);
    if (!this.#closing) this.#options.onLost?.(code, reason);
  }

  #send(frame: RumorFrame): void {
    this.#sendBytes(encodeRumorFrame(frame));
  }

  #sendBytes(bytes: Uint8Array): void {
    if (this.#socket?.readyState !== WebSocket.OPEN) return;
    this.#lastSent = performance.now();
    this.#socket.send(bytes);
  }
}

/** `GET {apiUrl}/session/{sessionId}?extended=true` with OpenTok.js's headers. */
async function fetchSessionInfo(
  target: JoinTarget,
  connectionId: string,
  timeoutMs: number,
): Promise<SessionInfo> {
  const url = `${target.apiUrl.replace(/\/$/, '')}/session/${target.sessionId}?extended=true`;
  const response = await fetch(url, {
    headers: {
      'X-OPENTOK-AUTH': target.token,
      'X-TB-VERSION': '1',
      'X-TB-CLIENT-VERSION': 'js-2.35.2',
      'X-TB-CONNECTIONID': connectionId,
      Accept: 'application/json',
    },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`session info answered HTTP ${response.status}`);
  const body = (await response.json()) as Record<string, unknown>[];
  const first = Array.isArray(body) ? body[0] : undefined;
  if (!first || first.error) throw new Error(`session info failed: ${JSON.stringify(first?.error ?? body)}`);
  const field = (name: string): string => {
    const value = first[name];
    if (typeof value !== 'string' || value === '') throw new Error(`session info has no ${name}`);
    return value;
  };
  return {
    sessionId: field('session_id'),
    partnerId: field('partner_id'),
    messagingUrl: field('messaging_url'),
    symphonyAddress: field('symphony_address'),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
