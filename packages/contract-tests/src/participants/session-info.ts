/**
 * Session info, as OpenTok.js asks for it before it opens the signaling socket: `GET
 * /session/{sessionId}?extended=true` with the client token, answered by a JSON array whose first element
 * names the messaging URL, the symphony address, the ICE servers and the session's media mode.
 */
import { fetch } from 'undici';
import { ParticipantJoinError } from './participant.js';
import { PARTICIPANT_CLIENT_VERSION } from './version.js';

/** The parts of session info the participant needs. */
export interface SessionInfo {
  partnerId: string;
  messagingUrl: string;
  symphonyAddress: string;
  relayed: boolean;
  /** `ice_servers`, as given (converted when a peer connection is made). */
  iceServers: unknown;
}

const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** Asks for session info; throws {@link ParticipantJoinError} naming what the target answered. */
export async function fetchSessionInfo(
  options: { baseUrl: string; sessionId: string; token: string; timeoutMs?: number },
  connectionId: string,
): Promise<SessionInfo> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/session/${options.sessionId}?extended=true`;
  const response = await fetch(url, {
    headers: {
      accept: 'application/json',
      'x-opentok-auth': options.token,
      'x-tb-version': '1',
      'x-tb-client-version': PARTICIPANT_CLIENT_VERSION,
      'x-tb-connectionid': connectionId,
    },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let first: Record<string, unknown> | undefined;
  try {
    first = asArray<Record<string, unknown>>(JSON.parse(text))[0];
  } catch {
    // Reported below with the raw text.
  }
  if (response.status !== 200 || !first) {
    throw new ParticipantJoinError(`session info answered ${response.status}: ${text.slice(0, 300)}`);
  }
  if (first.error)
    throw new ParticipantJoinError(`session info refused the token: ${JSON.stringify(first.error)}`);
  const properties = (first.properties ?? {}) as Record<string, unknown>;
  const p2p = (properties.p2p as { preference?: { value?: string } } | undefined)?.preference?.value;
  return {
    partnerId: String(first.partner_id),
    messagingUrl: String(first.messaging_url),
    symphonyAddress: String(first.symphony_address),
    relayed: p2p === 'enabled',
    iceServers: first.ice_servers,
  };
}
