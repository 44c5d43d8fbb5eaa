/**
 * Authentication of one request against the security requirements the spec declares for its operation.
 * The spec's scheme names map to credential kinds: `vonageJwt` (Bearer, project), `opentokJwt`
 * (`X-OPENTOK-AUTH`, project) and `accountJwt` (`X-OPENTOK-AUTH`, account).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';
import type { SecurityRequirement } from '../spec/operations.js';
import type { RestJwtVerifier, RestPrincipal } from './rest-jwt.js';

/** The security scheme names of the spec that this module understands. */
export const KNOWN_SCHEMES = ['vonageJwt', 'opentokJwt', 'accountJwt'] as const;
/** A security scheme name this module understands. */
export type KnownScheme = (typeof KNOWN_SCHEMES)[number];

/** How an operation is protected, derived from its security requirements. */
export type AuthPolicy =
  /** Anyone may call it. */
  | { kind: 'anonymous' }
  /** Only with REST credentials, of the listed schemes. */
  | { kind: 'credentials'; schemes: ReadonlySet<KnownScheme> }
  /** The spec names schemes this server does not handle generically; the handler authenticates. */
  | { kind: 'custom'; schemes: readonly string[] };

/** Derives the policy of an operation from its security requirements. */
export function authPolicyFor(security: readonly SecurityRequirement[]): AuthPolicy {
  if (security.some((requirement) => requirement.length === 0)) return { kind: 'anonymous' };
  const schemes = new Set(security.flat());
  const known = [...schemes].filter((s): s is KnownScheme =>
    (KNOWN_SCHEMES as readonly string[]).includes(s),
  );
  if (known.length === 0) return { kind: 'custom', schemes: [...schemes] };
  return { kind: 'credentials', schemes: new Set(known) };
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/**
 * Authenticates a request under `policy` (which must be of kind `credentials`). Throws an {@link ApiError}
 * (401 or 403) that says exactly what is wrong.
 */
export async function authenticate(
  headers: IncomingHttpHeaders,
  policy: Extract<AuthPolicy, { kind: 'credentials' }>,
  verifier: RestJwtVerifier,
): Promise<RestPrincipal> {
  const authorization = single(headers.authorization)?.trim();
  const opentok = single(headers['x-opentok-auth'])?.trim();
  const acceptsAccount = policy.schemes.has('accountJwt');
  const acceptsProject = policy.schemes.has('vonageJwt') || policy.schemes.has('opentokJwt');

  if (authorization && opentok) throw new ApiError('AMBIGUOUS_CREDENTIALS');
  if (!authorization && !opentok) {
    throw new ApiError(
      'MISSING_CREDENTIALS',
      acceptsProject
        ? 'Send Authorization: Bearer <JWT> (RS256, application private key) or X-OPENTOK-AUTH: <JWT> (HS256, API secret)'
        : 'Send X-OPENTOK-AUTH: <JWT> signed with the account secret (ist: "account")',
    );
  }

  let principal: RestPrincipal;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw new ApiError('MALFORMED_TOKEN', 'The Authorization header must be "Bearer <JWT>"');
    if (!policy.schemes.has('vonageJwt')) {
      throw new ApiError(
        'ACCOUNT_CREDENTIALS_REQUIRED',
        'This call needs X-OPENTOK-AUTH with an account JWT (ist: "account")',
      );
    }
    principal = await verifier.verifyBearer(match[1]);
  } else {
    principal = await verifier.verifyOpentok(opentok as string);
  }

  if (principal.kind === 'account' && !acceptsAccount) throw new ApiError('PROJECT_CREDENTIALS_REQUIRED');
  if (principal.kind === 'project') {
    if (!acceptsProject) throw new ApiError('ACCOUNT_CREDENTIALS_REQUIRED');
    if (principal.via === 'opentok' && !policy.schemes.has('opentokJwt')) {
      throw new ApiError('UNSUPPORTED_ALGORITHM', 'This call accepts only Authorization: Bearer JWTs');
    }
    if (principal.project.status === 'SUSPENDED') {
      throw new ApiError('PROJECT_SUSPENDED', `Project ${principal.project.applicationId} is suspended`);
    }
  }
  return principal;
}

/** True when `projectId` (an application ID or API key from a path) names `principal`'s project. */
export function principalOwns(principal: RestPrincipal, projectId: string): boolean {
  if (principal.kind !== 'project') return false;
  return (
    principal.project.applicationId.toLowerCase() === projectId.toLowerCase() ||
    principal.project.apiKey === projectId
  );
}
