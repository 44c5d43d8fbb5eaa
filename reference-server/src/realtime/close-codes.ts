/**
 * The WebSocket close codes the gateway uses. OpenTok.js treats 1000/1001 as normal, 4001 as a network
 * timeout and everything else as an error; with reconnection enabled it tries to re-attach after any
 * close that was not normal.
 */
export const CloseCode = {
  /** The connection ended normally: the client disconnected or was forced out. */
  Normal: 1000,
  /** The server is shutting down. */
  GoingAway: 1001,
  /** A text frame: the protocol carries only binary Rumor frames. */
  UnsupportedData: 1003,
  /**
   * A protocol violation: an undecodable frame, a first frame other than `CONNECT` on a new socket, a
   * second `CONNECT`, a message flood beyond the rate limit.
   */
  PolicyViolation: 1008,
  /** A frame above the size cap (sent by the `ws` library itself). */
  TooLarge: 1009,
  /** The client sent nothing (not even a PING) for longer than the idle timeout; OpenTok.js reports `networkDisconnected`. */
  IdleTimeout: 4001,
  /** Another socket re-attached with this socket's `socketId`; this one is stale. */
  Replaced: 4009,
} as const;

/** A close code of the gateway. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
