/**
 * The Audio Connector's WebSocket to the customer's server, framed as Vonage frames it:
 *
 * - the opening handshake carries the request's `headers` as HTTP headers;
 * - the first message is text, a JSON object with `content-type: audio/l16;rate=<audioRate>` and the same
 *   headers as fields;
 * - then one message per 20 ms of audio: a binary message of raw 16-bit little-endian mono PCM, or with
 *   the JSON transport a text message `{ ...static_fields, [audio_field]: "<base64 PCM>" }`;
 * - stream changes are text messages with an `event` field (`websocket:update`, see `audio-connector.ts`).
 *
 * Audio the server sends back (bidirectional) is read from binary messages as raw PCM, and with the JSON
 * transport from text messages' `receive_audio_field` (base64).
 */
import WebSocket from 'ws';

/** How audio is framed on the socket. */
export type AudioFraming =
  | { transport: 'binary' }
  | {
      transport: 'json';
      /** The key of outgoing audio. */
      audioField: string;
      /** The key read for incoming audio. */
      receiveAudioField: string;
      /** Copied into every outgoing audio message. */
      staticFields: Readonly<Record<string, unknown>>;
    };

/** Options of {@link openAudioSocket}. */
export interface AudioSocketOptions {
  uri: string;
  /** Sent with the handshake and in the first message. */
  headers: Readonly<Record<string, string>>;
  /** The PCM rate, in Hz, announced in the first message. */
  audioRate: number;
  framing: AudioFraming;
  /** How long the server has to accept the connection. */
  openTimeoutMs: number;
}

/** The socket could not be opened in time (or was refused). */
export class AudioSocketOpenError extends Error {
  override readonly name = 'AudioSocketOpenError';
}

/**
 * Outgoing audio is dropped while this much is queued in the socket: a server that reads slower than
 * real time loses audio instead of growing the server's memory without bound.
 */
const MAX_QUEUED_BYTES = 1 << 20;

/** Opens the socket; rejects with {@link AudioSocketOpenError} when it is not open within the timeout. */
export function openAudioSocket(options: AudioSocketOptions): Promise<AudioSocket> {
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(options.uri, {
        headers: { ...options.headers },
        handshakeTimeout: options.openTimeoutMs,
        perMessageDeflate: false,
      });
    } catch (error) {
      reject(
        new AudioSocketOpenError(
          `The WebSocket ${options.uri} could not be opened: ${(error as Error).message}`,
        ),
      );
      return;
    }
    const seconds = Math.round(options.openTimeoutMs / 100) / 10;
    const fail = (why: string) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      reject(
        new AudioSocketOpenError(
          `The WebSocket ${options.uri} did not open within ${seconds} seconds (${why})`,
        ),
      );
    };
    const timer = setTimeout(() => fail('no answer'), options.openTimeoutMs);
    socket.once('error', (error) => fail(error.message));
    socket.once('unexpected-response', (_request, response) => fail(`HTTP status ${response.statusCode}`));
    socket.once('open', () => {
      clearTimeout(timer);
      socket.removeAllListeners();
      resolve(new AudioSocket(socket, options));
    });
  });
}

/** An open Audio Connector socket; see the file comment. */
export class AudioSocket {
  readonly #socket: WebSocket;
  readonly #framing: AudioFraming;
  /** A byte of an incoming sample split across two messages. */
  #oddByte: number | null = null;
  /** Outgoing audio frames dropped because the server read too slowly. */
  droppedFrames = 0;

  constructor(socket: WebSocket, options: AudioSocketOptions) {
    this.#socket = socket;
    this.#framing = options.framing;
    // A socket error is followed by `close`; the owner reacts to that.
    socket.on('error', () => undefined);
    // The audio format cannot be overridden by a header of the same name.
    socket.send(
      JSON.stringify({ ...options.headers, 'content-type': `audio/l16;rate=${options.audioRate}` }),
    );
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Calls `listener` once when the socket closes, whoever closed it. */
  onClose(listener: (code: number, reason: string) => void): void {
    if (this.#socket.readyState === WebSocket.CLOSED) {
      listener(1006, '');
      return;
    }
    this.#socket.once('close', (code, reason) => listener(code, reason.toString()));
  }

  /** Calls `listener` with every chunk of PCM the server sends (bidirectional connectors). */
  onAudio(listener: (pcm: Buffer) => void): void {
    this.#socket.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        this.#deliver(bytes, listener);
        return;
      }
      if (this.#framing.transport !== 'json') return;
      const field = this.#framing.receiveAudioField;
      let message: unknown;
      try {
        message = JSON.parse(bytes.toString('utf8'));
      } catch {
        return; // Text that is not JSON carries no audio.
      }
      if (typeof message !== 'object' || message === null) return;
      const audio = (message as Record<string, unknown>)[field];
      if (typeof audio === 'string' && audio !== '') this.#deliver(Buffer.from(audio, 'base64'), listener);
    });
  }

  /** Sends one frame of mixed audio; dropped (and counted) while the server lags. */
  sendAudio(frame: Int16Array): void {
    if (!this.open) return;
    if (this.#socket.bufferedAmount > MAX_QUEUED_BYTES) {
      this.droppedFrames++;
      return;
    }
    const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    if (this.#framing.transport === 'binary') {
      this.#socket.send(bytes, { binary: true });
      return;
    }
    const { staticFields, audioField } = this.#framing;
    this.#socket.send(JSON.stringify({ ...staticFields, [audioField]: bytes.toString('base64') }));
  }

  /** Sends a text event. */
  sendEvent(event: Record<string, unknown>): void {
    if (this.open) this.#socket.send(JSON.stringify(event));
  }

  /** Closes the socket (normal closure). */
  close(reason = ''): void {
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) {
      this.#socket.close(1000, reason.slice(0, 120));
    }
  }

  #deliver(bytes: Buffer, listener: (pcm: Buffer) => void): void {
    let pcm = bytes;
    if (this.#oddByte !== null) {
      pcm = Buffer.concat([Buffer.from([this.#oddByte]), pcm]);
      this.#oddByte = null;
    }
    if (pcm.length % 2 === 1) {
      this.#oddByte = pcm[pcm.length - 1] ?? 0;
      pcm = pcm.subarray(0, pcm.length - 1);
    }
    if (pcm.length > 0) listener(pcm);
  }
}
