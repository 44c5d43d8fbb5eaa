/**
 * Client tokens (what a browser presents to join a session), minted by the suite itself with `jose` in
 * the formats the spec documents: the Vonage RS256 JWT when an application key is given, else the legacy
 * HS256 JWT signed with the API secret.
 */
import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { type ContractCredentials, CredentialsError } from './credentials.js';

/** A client role. */
export type ClientRole = 'publisher' | 'subscriber' | 'moderator' | 'publisheronly';

/** Options of {@link mintClientToken}. */
export interface ClientTokenOptions {
  sessionId: string;
  role?: ClientRole;
  /** Connection data, at most 1000 characters. */
  data?: string;
  /** Lifetime in seconds. Default one hour. */
  ttlSeconds?: number;
  initialLayoutClassList?: string[];
}

/** Mints a client token for a session. */
export async function mintClientToken(
  credentials: ContractCredentials,
  options: ClientTokenOptions,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    scope: 'session.connect',
    session_id: options.sessionId,
    role: options.role ?? 'publisher',
    initial_layout_class_list: (options.initialLayoutClassList ?? []).join(' '),
    ...(options.data !== undefined ? { connection_data: options.data } : {}),
  };
  const jwt = (extra: Record<string, unknown>) =>
    new SignJWT({ ...claims, ...extra })
      .setIssuedAt(now)
      .setExpirationTime(now + (options.ttlSeconds ?? 3600))
      .setJti(randomUUID());
  if (credentials.applicationId && credentials.privateKey) {
    const key = await importPKCS8(credentials.privateKey, 'RS256');
    return jwt({
      application_id: credentials.applicationId,
      sub: 'video',
      acl: { paths: { '/session/**': {} } },
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .sign(key);
  }
  if (credentials.apiKey && credentials.apiSecret) {
    return jwt({ iss: credentials.apiKey, ist: 'project', nonce: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(credentials.apiSecret));
  }
  throw new CredentialsError('minting a client token needs applicationId + privateKey or apiKey + apiSecret');
}
