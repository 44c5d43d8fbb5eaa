/**
 * The signaling transport: one bidirectional binary channel to the gateway. The real one is a browser
 * `WebSocket` (binary frames, no sub-protocol, as OpenTok.js opens it); unit tests use an in-memory fake.
 * Everything above this interface (Rumor framing, ACKs, reconnection) is transport-agnostic.
 */
import { TypedEmitter } from '@parley/events';

/** Events of a {@link SignalingTransport}. */
export type SignalingTransportEvents = {
  /** The channel is open; frames may be sent. */
  open: [];
  /** One binary frame arrived. */
  message: [data: Uint8Array];
  /** The channel closed (or failed to open). Fires once; no event follows it. */
  close: [code: number, reason: string];
};

/** A bidirectional binary channel (a WebSocket in browsers). */
export abstract class SignalingTransport extends TypedEmitter<SignalingTransportEvents> {
  /** Sends one binary frame. Ignored once the channel is closing. */
  abstract send(data: Uint8Array): void;
  /** Closes the channel with a WebSocket close code. */
  abstract close(code?: number, reason?: string): void;
}

/** Opens a transport to `url`; the transport emits `open` or `close` later. */
export type SignalingTransportFactory = (url: string) => SignalingTransport;

/** The browser transport: a `WebSocket` with `binaryType = 'arraybuffer'`. */
export class WebSocketTransport extends SignalingTransport {
  readonly #socket: WebSocket;
  #closed = false;

  constructor(url: string) {
    super();
    this.#socket = new WebSocket(url);
    this.#socket.binaryType = 'arraybuffer';
    this.#socket.onopen = () => this.emit('open');
    this.#socket.onmessage = (event: MessageEvent) => {
      // The gateway only sends binary frames; a text frame is a protocol error we surface as an empty frame.
      const data = event.data instanceof ArrayBuffer ? new Uint8Array(event.data) : new Uint8Array();
      this.emit('message', data);
    };
    this.#socket.onclose = (event: CloseEvent) => this.#finish(event.code, event.reason);
  }

  override send(data: Uint8Array): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(data);
  }

  override close(code = 1000, reason = ''): void {
    if (this.#socket.readyState === WebSocket.CLOSING || this.#socket.readyState === WebSocket.CLOSED) return;
    this.#socket.close(code, reason);
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close', code, reason);
  }
}

/** The default factory: a browser `WebSocket`. */
export const webSocketTransportFactory: SignalingTransportFactory = (url) => new WebSocketTransport(url);
