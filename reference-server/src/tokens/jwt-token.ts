/**
 * JWT client tokens: the Vonage form (RS256, the application's private key, `application_id`) and the
 * legacy OpenTok form (HS256, the API secret, `iss` = API key). The header's `alg` picks the form and the
 * key *before* anything is verified, and each form has exactly one algorithm, so `alg: none` and RS256/HS256
 * confusion (an HS256 token "signed" with the public key) are refused.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import {
  compactVerify,
  decodeProtectedHeader,
  errors as joseErrors,
  type ProtectedHeaderParameters,
} from 'jose';
import type { ProjectRecord } from '../store/types.js';
import { ClientTokenError } from './errors.js';
import { requireActiveProject, type TokenFields } from './token-rules.js';

type Claims = Record<string, unknown>;

/** Verifies a JWT client token's signature and returns its project and fields, still to be checked by the shared rules. */
export async function verifyJwtToken(
  token: string,
  resolveProject: (idOrKey: string) => Promise<ProjectRecord | null>,
): Promise<{ project: ProjectRecord; fields: TokenFields }> {
  const header = readHeader(token);
  const unverified = readClaims(token);

  if (header.alg === 'RS256') {
    const applicationId = unverified.application_id;
    if (typeof applicationId !== 'string' || applicationId === '') {
      throw new ClientTokenError('malformed', 'The RS256 token lacks the application_id claim');
    }
    const project = requireActiveProject(
      await resolveProject(applicationId),
      applicationId,
      'application_id',
    );
    const claims = await verifySignature(token, 'RS256', publicKey(project.publicKeyPem));
    return { project, fields: jwtFields('vonage-jwt', claims) };
  }

  if (header.alg === 'HS256') {
    // The Ruby SDK puts `ist` in the header; the others put it in the claims. Either way it must be "project".
    const ist = unverified.ist ?? header.ist;
    if (ist !== undefined && ist !== 'project') {
      throw new ClientTokenError(
        'wrong-scope',
        `ist must be "project" for a client token, got ${JSON.stringify(ist)}`,
      );
    }
    const iss = unverified.iss;
    if ((typeof iss !== 'string' && typeof iss !== 'number') || iss === '') {
      throw new ClientTokenError('malformed', 'The HS256 token lacks the iss claim (the API key)');
    }
    const apiKey = String(iss);
    const project = requireActiveProject(await resolveProject(apiKey), apiKey, 'iss');
    const claims = await verifySignature(
      token,
      'HS256',
      createSecretKey(Buffer.from(project.apiSecret, 'utf8')),
    );
    return { project, fields: jwtFields('legacy-jwt', claims) };
  }

  throw new ClientTokenError(
    'unsupported-algorithm',
    `The token is signed ${JSON.stringify(header.alg ?? null)}; client tokens must be RS256 or HS256`,
  );
}

/** Maps verified claims to the format-neutral fields, reading every alias the official SDKs use. */
function jwtFields(format: 'vonage-jwt' | 'legacy-jwt', claims: Claims): TokenFields {
  return {
    format,
    scope: claims.scope,
    sessionId: claims.session_id,
    role: claims.role,
    // The Ruby SDK calls it `data`; the others `connection_data`.
    connectionData: claims.connection_data ?? claims.data,
    layoutClasses: claims.initial_layout_class_list,
    issuedAt: numericDate(claims, 'iat') ?? numericDate(claims, 'create_time'),
    // The Node SDK sets both `exp` and `expire_time`; older legacy tokens may carry only `expire_time`.
    expiresAt: numericDate(claims, 'exp') ?? numericDate(claims, 'expire_time'),
    notBefore: numericDate(claims, 'nbf'),
    nonce: claims.jti ?? claims.nonce,
    scopeOptional: false,
  };
}

async function verifySignature(token: string, alg: 'RS256' | 'HS256', key: KeyObject): Promise<Claims> {
  try {
    const { payload } = await compactVerify(token, key, { algorithms: [alg] });
    return JSON.parse(new TextDecoder().decode(payload)) as Claims;
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new ClientTokenError(
        'bad-signature',
        `The ${alg} signature does not verify with the project's key`,
        {
          cause: error,
        },
      );
    }
    throw new ClientTokenError('malformed', `The token could not be verified: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function readHeader(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch (error) {
    throw new ClientTokenError('malformed', 'The token is neither a JWT nor a T1 token', { cause: error });
  }
}

function readClaims(token: string): Claims {
  const [, payload = ''] = token.split('.');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ClientTokenError('malformed', 'The JWT claims are not valid JSON', { cause: error });
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new ClientTokenError('malformed', 'The JWT claims are not a JSON object');
  }
  return claims as Claims;
}

function numericDate(claims: Claims, name: string): number | null {
  const value = claims[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ClientTokenError('malformed', `The ${name} claim must be a number of seconds`);
  }
  return value;
}

/** Parsed public keys by PEM; re-parsing a PEM on every connect would be wasted work. */
const publicKeys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 1000;

function publicKey(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    try {
      key = createPublicKey(pem);
    } catch (error) {
      throw new ClientTokenError('bad-signature', 'The project has no usable public key', { cause: error });
    }
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
    publicKeys.set(pem, key);
  }
  return key;
}
