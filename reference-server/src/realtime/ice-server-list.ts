/**
 * Parses the STUN/TURN servers handed to clients (`--turn-servers` / `PARLEY_TURN_SERVERS`). Two forms are
 * accepted, so a one-server setup fits on a command line and anything richer can still be said:
 *
 * - a comma-separated list of URLs with the TURN credentials inline:
 *   `turn:USER:PASS@HOST:PORT[?transport=udp|tcp]`, `turns:USER:PASS@HOST:PORT`, `stun:HOST:PORT`
 *   (percent-encode `:`, `@`, `,` inside USER or PASS);
 * - a JSON array of `RTCIceServer` objects: `[{"urls": "turn:host:3478", "username": "u", "credential": "p"}]`.
 *
 * Every mistake throws an {@link IceServerListError} whose message names the option and the entry.
 */
import type { IceServer } from '../sfu/types.js';

/** A malformed ICE server list; the message names the option it came from. */
export class IceServerListError extends Error {
  override readonly name = 'IceServerListError';
}

const URL_PATTERN = /^(stun|stuns|turn|turns):[^\s,]+$/;
const ICE_SERVER_KEYS = new Set(['urls', 'username', 'credential']);

/**
 * Parses a list in either form; `option` (e.g. `--turn-servers`) is named in errors. An empty or blank
 * text is the empty list.
 */
export function parseIceServerList(raw: string, option: string): IceServer[] {
  const text = raw.trim();
  if (text === '') return [];
  if (text.startsWith('[')) return parseJsonList(text, option);
  return text.split(',').map((entry, index) => parseShorthand(entry.trim(), `${option} entry ${index + 1}`));
}

/** `turn:USER:PASS@HOST:PORT?transport=tcp` or `stun:HOST:PORT`. */
function parseShorthand(entry: string, where: string): IceServer {
  const match = /^(stun|stuns|turn|turns):(?:([^:@]*):([^@]*)@)?([^:@?/]+):(\d+)(?:\?transport=(\w+))?$/.exec(
    entry,
  );
  if (!match) {
    throw new IceServerListError(
      `${where} must look like turn:USER:PASS@HOST:PORT, turns:USER:PASS@HOST:PORT or stun:HOST:PORT, got "${entry}"`,
    );
  }
  const [, scheme, user, pass, host, portText, transport] = match as unknown as [
    string,
    string,
    string | undefined,
    string | undefined,
    string,
    string,
    string | undefined,
  ];
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new IceServerListError(`${where} has port ${portText}; use 1 to 65535`);
  if (transport !== undefined && transport !== 'udp' && transport !== 'tcp') {
    throw new IceServerListError(`${where} has transport=${transport}; use udp or tcp`);
  }
  const isTurn = scheme.startsWith('turn');
  if (isTurn && (user === undefined || pass === undefined || user === '')) {
    throw new IceServerListError(`${where} is a TURN server and needs USER:PASS@ before the host`);
  }
  if (!isTurn && user !== undefined) {
    throw new IceServerListError(`${where} is a STUN server and takes no credentials`);
  }
  const urls = `${scheme}:${host}:${port}${transport ? `?transport=${transport}` : ''}`;
  if (!isTurn) return { urls };
  return { urls, username: decode(user as string, where), credential: decode(pass as string, where) };
}

function decode(text: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new IceServerListError(`${where} has a malformed percent-encoding in its credentials`);
  }
}

function parseJsonList(text: string, option: string): IceServer[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IceServerListError(`${option} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new IceServerListError(`${option} must be a JSON array of ICE servers`);
  return value.map((item: unknown, index) => parseJsonServer(item, `${option}[${index}]`));
}

function parseJsonServer(item: unknown, where: string): IceServer {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new IceServerListError(`${where} must be an object with urls, username and credential`);
  }
  const record = item as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ICE_SERVER_KEYS.has(key)) {
      throw new IceServerListError(`${where} has an unknown field "${key}"; use urls, username, credential`);
    }
  }
  const urls = typeof record.urls === 'string' ? [record.urls] : record.urls;
  if (!Array.isArray(urls) || urls.length === 0) {
    throw new IceServerListError(`${where}.urls must be a URL or a non-empty array of URLs`);
  }
  for (const url of urls) {
    if (typeof url !== 'string' || !URL_PATTERN.test(url)) {
      throw new IceServerListError(
        `${where}.urls must be stun:, stuns:, turn: or turns: URLs, got ${JSON.stringify(url)}`,
      );
    }
  }
  for (const key of ['username', 'credential'] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'string') {
      throw new IceServerListError(`${where}.${key} must be a string`);
    }
  }
  const turn = (urls as string[]).some((url) => url.startsWith('turn'));
  if (turn && (typeof record.username !== 'string' || typeof record.credential !== 'string')) {
    throw new IceServerListError(`${where} is a TURN server and needs a username and a credential`);
  }
  const server: IceServer = { urls: typeof record.urls === 'string' ? record.urls : [...(urls as string[])] };
  if (typeof record.username === 'string') server.username = record.username;
  if (typeof record.credential === 'string') server.credential = record.credential;
  return server;
}
