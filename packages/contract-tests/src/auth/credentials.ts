/**
 * The credentials a contract run uses, and which project ID they put in `/v2/project/{projectId}` paths.
 */

/** Credentials for the target. Give the Vonage pair, the legacy pair, or both (both styles are then tested). */
export interface ContractCredentials {
  /** The application UUID (Vonage style). */
  applicationId?: string;
  /** The application's PKCS#8 PEM private key, which signs RS256 `Authorization: Bearer` JWTs. */
  privateKey?: string;
  /** The numeric project API key (legacy OpenTok style). */
  apiKey?: string;
  /** The project API secret, which signs HS256 `X-OPENTOK-AUTH` JWTs. */
  apiSecret?: string;
  /** The account key, for project management (`ist: "account"`). */
  accountKey?: string;
  /** The account secret. */
  accountSecret?: string;
  /** The project's webhook signing secret (`whsec_…`); when given, webhook signatures are verified. */
  webhookSecret?: string;
}

/** The two ways a project call can authenticate. */
export type ProjectAuthStyle = 'vonage' | 'opentok';

/** Thrown when the credentials cannot do what a run asks of them; the message names the missing field. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

/** The project auth styles these credentials support, Vonage first. */
export function projectAuthStyles(credentials: ContractCredentials): ProjectAuthStyle[] {
  const styles: ProjectAuthStyle[] = [];
  if (credentials.applicationId && credentials.privateKey) styles.push('vonage');
  if (credentials.apiKey && credentials.apiSecret) styles.push('opentok');
  return styles;
}

/** True when account-level (project management) calls can be signed. */
export function hasAccountCredentials(credentials: ContractCredentials): boolean {
  return Boolean(credentials.accountKey && credentials.accountSecret);
}

/**
 * Checks that the credentials can sign project calls, naming what is missing: a half-given pair is a
 * mistake worth reporting, not something to ignore.
 */
export function validateCredentials(credentials: ContractCredentials): void {
  const pairs: [keyof ContractCredentials, keyof ContractCredentials][] = [
    ['applicationId', 'privateKey'],
    ['apiKey', 'apiSecret'],
    ['accountKey', 'accountSecret'],
  ];
  for (const [a, b] of pairs) {
    if (Boolean(credentials[a]) !== Boolean(credentials[b])) {
      throw new CredentialsError(
        `credentials.${credentials[a] ? b : a} is required when credentials.${credentials[a] ? a : b} is given`,
      );
    }
  }
  if (projectAuthStyles(credentials).length === 0) {
    throw new CredentialsError(
      'credentials need applicationId + privateKey (Vonage) or apiKey + apiSecret (OpenTok) to sign project calls',
    );
  }
  if (credentials.privateKey && !credentials.privateKey.includes('-----BEGIN')) {
    throw new CredentialsError(
      'credentials.privateKey must be a PEM private key (-----BEGIN PRIVATE KEY-----)',
    );
  }
}

/** The project ID a style puts in paths: the application UUID for Vonage, the API key for OpenTok. */
export function projectIdFor(credentials: ContractCredentials, style: ProjectAuthStyle): string {
  const id = style === 'vonage' ? credentials.applicationId : credentials.apiKey;
  if (!id)
    throw new CredentialsError(`credentials.${style === 'vonage' ? 'applicationId' : 'apiKey'} is required`);
  return id;
}
