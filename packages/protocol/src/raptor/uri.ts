/**
 * Raptor URIs name what a message is about:
 * `/v2/partner/{apiKey}/session/{sessionId}[/{key}/{id}]…`, for example
 * `/v2/partner/47123456/session/2_MX4…/stream/8b73…/subscriber/f1e2…/channel/video1`.
 * The OpenTok.js client reads them as key/value pairs and names the resource after the last key
 * (`stream/X/channel/Y` is a `stream_channel`, `subscriber/Y/channel/Z` a `subscriber_channel`).
 */

/** The keys a Raptor URI may contain after the session. */
export const RAPTOR_KEYS = [
  'connection',
  'stream',
  'subscriber',
  'channel',
  'signal',
  'archive',
  'source',
  'data',
] as const;

/** A key of a Raptor URI. */
export type RaptorKey = (typeof RAPTOR_KEYS)[number];

/** A parsed Raptor URI. */
export interface RaptorUri {
  /** The API key (`partner`). */
  partner: string;
  /** The session ID. */
  session: string;
  /** The key/value pairs after the session, in order. */
  path: [RaptorKey, string][];
  /** The same pairs by key. */
  params: Partial<Record<RaptorKey, string>>;
  /** `session` for the session itself; otherwise the last key, with `_channel` forms as the client names them. */
  resource: string;
}

const KEYS = new Set<string>(RAPTOR_KEYS);
/** IDs are opaque but never contain `/`, `?` or `#`, and are at most 255 characters. */
const ID_PATTERN = /^[^/?#\s]{1,255}$/;

/** Parses a Raptor URI; returns null when it is not one (wrong prefix, unknown key, bad or repeated ID). */
export function parseRaptorUri(uri: string): RaptorUri | null {
  const parts = uri.split('/');
  if (parts[0] !== '' || parts[1] !== 'v2' || parts[2] !== 'partner' || parts[4] !== 'session') return null;
  const partner = parts[3] ?? '';
  const session = parts[5] ?? '';
  if (!ID_PATTERN.test(partner) || !ID_PATTERN.test(session)) return null;
  const rest = parts.slice(6);
  if (rest.length % 2 !== 0) return null;
  const path: [RaptorKey, string][] = [];
  const params: Partial<Record<RaptorKey, string>> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i] as string;
    const id = rest[i + 1] as string;
    if (!KEYS.has(key) || !ID_PATTERN.test(id) || key in params) return null;
    path.push([key as RaptorKey, id]);
    params[key as RaptorKey] = id;
  }
  return { partner, session, path, params, resource: resourceName(path) };
}

function resourceName(path: [RaptorKey, string][]): string {
  const last = path.at(-1);
  if (!last) return 'session';
  if (last[0] === 'channel') {
    const owner = path.at(-2)?.[0];
    return owner === 'subscriber' ? 'subscriber_channel' : 'stream_channel';
  }
  return last[0];
}

/** Builds a Raptor URI from the API key, the session ID and key/ID pairs. */
export function buildRaptorUri(partner: string, session: string, ...pairs: [RaptorKey, string][]): string {
  let uri = `/v2/partner/${partner}/session/${session}`;
  for (const [key, id] of pairs) uri += `/${key}/${id}`;
  return uri;
}

/** The broadcast topic of a session, which clients SUBSCRIBE to. */
export function sessionTopic(partner: string, session: string): string {
  return buildRaptorUri(partner, session);
}
