/**
 * The fake server's side of one client socket: what the client sends reaches the server on a microtask,
 * what the server delivers reaches the client the same way, and either side can close it. Kept apart
 * from the server's protocol model so the socket timing (always asynchronous, as a real socket) is
 * defined once.
 */
import { encodeRumorFrame, type RumorFrame } from '@parley/protocol';
import { SignalingTransport } from '../signaling/transport.js';

/** Where a fake transport hands the client's frames. */
export interface FakeTransportPeer {
  /** Receives a frame the client sent on `transport`. */
  receive(transport: FakeTransport, data: Uint8Array): void;
}

/** The server side of one fake socket. */
export class FakeTransport extends SignalingTransport {
  /** Whether either side closed the socket. */
  closed = false;

  /**
   * @param url The URL the client opened.
   * @param server The server the client's frames go to.
   */
  constructor(
    readonly url: string,
    private readonly server: FakeTransportPeer,
  ) {
    super();
  }

  /** Sends a frame from the client to the server (a copy, on a microtask). */
  override send(data: Uint8Array): void {
    if (this.closed) return;
    const copy = data.slice();
    queueMicrotask(() => this.server.receive(this, copy));
  }

  /** Closes from the client side. */
  override close(code = 1000, reason = ''): void {
    this.serverClose(code, reason);
  }

  /** Delivers a frame to the client. */
  deliver(frame: RumorFrame): void {
    if (this.closed) return;
    const bytes = encodeRumorFrame(frame);
    queueMicrotask(() => !this.closed && this.emit('message', bytes));
  }

  /** Closes from either side. */
  serverClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.emit('close', code, reason));
  }
}
