/**
 * The WebSocket paths of the gateway: `/rumorwebsocketsv2`, and the form OpenTok.js uses behind
 * `OT.setProxyUrl()`, `/<messaging host:port>/rumorwebsocketsv2`.
 */

/** The path of the signaling WebSocket. */
export const SIGNALING_PATH = '/rumorwebsocketsv2';

const PATH_PATTERN = /^(?:\/[^/?#]+)?\/rumorwebsocketsv2\/?$/;

/** The parts of an upgrade request's URL the gateway reads. */
export interface SignalingRequest {
  /** The client's `socketId`, when it enabled reconnection. */
  socketId: string | null;
  /** Whether this socket re-attaches after a drop (`reconnect=true`). */
  reconnect: boolean;
}

/** Parses an upgrade request URL; returns null when it is not a signaling path. */
export function parseSignalingUrl(url: string | undefined): SignalingRequest | null {
  if (!url) return null;
  const parsed = new URL(url, 'http://gateway.invalid');
  if (!PATH_PATTERN.test(parsed.pathname)) return null;
  const socketId = parsed.searchParams.get('socketId');
  return { socketId: socketId || null, reconnect: parsed.searchParams.get('reconnect') === 'true' };
}
