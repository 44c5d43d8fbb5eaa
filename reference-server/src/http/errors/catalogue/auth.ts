import { define, type ErrorDefinition } from '../define.js';

/** Errors of authentication (the REST JWTs) and of authorisation (which project or account the credentials may act on). */
export const AUTH_ERRORS = {
  TOKEN_EXPIRED: define(
    40101,
    'The JWT has expired',
    'The REST JWT `exp` claim is in the past (beyond the 30 seconds of allowed clock skew).',
    'Mint a fresh JWT for every request (the official SDKs do this) and keep the client clock in sync.',
  ),
  MISSING_CREDENTIALS: define(
    40102,
    'No credentials were sent',
    'The call needs `Authorization: Bearer <JWT>` or `X-OPENTOK-AUTH: <JWT>` and neither header is present.',
    'Send one of the two headers; see "Authentication of REST calls" in the API reference.',
  ),
  MALFORMED_TOKEN: define(
    40103,
    'The JWT is malformed',
    'The header value is not a compact JWS (three base64url parts with a JSON header and JSON claims).',
    'Send the JWT exactly as the SDK or JWT library produced it, without quotes or extra spaces.',
  ),
  UNSUPPORTED_ALGORITHM: define(
    40104,
    'The JWT algorithm is not accepted',
    'Bearer JWTs must be signed RS256 and `X-OPENTOK-AUTH` JWTs HS256. `alg: none` and any other algorithm (including an HS256 token signed with the public key) are refused.',
    'Sign Bearer JWTs RS256 with the application private key, or `X-OPENTOK-AUTH` JWTs HS256 with the API secret.',
  ),
  BAD_SIGNATURE: define(
    40105,
    'The JWT signature is invalid',
    'The signature does not verify with the key registered for the project named in the token.',
    'Sign with the private key (Bearer) or API secret (`X-OPENTOK-AUTH`) of the project the token names; after a secret rotation use the new secret.',
  ),
  TOKEN_NOT_YET_VALID: define(
    40106,
    'The JWT is not valid yet',
    'The `nbf` or `iat` claim is in the future (beyond the 30 seconds of allowed clock skew).',
    'Keep the client clock in sync and do not set `nbf` in the future.',
  ),
  MISSING_CLAIM: define(
    40107,
    'The JWT lacks a required claim',
    'A required claim is missing or has the wrong type: `application_id`, `iat`, `exp` and `jti` for Bearer JWTs; `iss`, `iat` and `exp` for `X-OPENTOK-AUTH` JWTs.',
    'Add the named claim; the official SDKs send all of them.',
  ),
  UNKNOWN_ISSUER: define(
    40108,
    'The JWT names an unknown project or account',
    'No project has the `application_id` (Bearer) or the API key in `iss` (`X-OPENTOK-AUTH`), and for account calls `iss` is not the account key.',
    'Use the credentials printed by the server or stored in `credentials.json`, or create the project first.',
  ),
  TOKEN_REPLAYED: define(
    40109,
    'The JWT has already been used',
    'The token `jti` was already accepted once within the token lifetime; each JWT is single-use.',
    'Mint a new JWT, with a new random `jti`, for every request.',
  ),
  AMBIGUOUS_CREDENTIALS: define(
    40110,
    'Both Authorization and X-OPENTOK-AUTH were sent',
    'A call must carry exactly one kind of credential.',
    'Send only one of the two headers.',
  ),
  FOREIGN_PROJECT: define(
    40301,
    'The credentials are valid but belong to another project',
    'The token is valid for one project and the path names another. A project never sees another project’s resources.',
    'Call with the credentials of the project in the path, or put your own project ID in the path.',
  ),
  PROJECT_SUSPENDED: define(
    40302,
    'The project is suspended',
    'The project status is `SUSPENDED`; suspended projects reject every call.',
    'Reactivate it with `PUT /v2/project/{projectId}` `{"status":"ACTIVE"}` using account credentials.',
  ),
  ACCOUNT_CREDENTIALS_REQUIRED: define(
    40360,
    'This call needs account credentials',
    'Project management calls accept only an `X-OPENTOK-AUTH` JWT with `ist: "account"` signed with the account secret.',
    'Sign the JWT with the account key and secret (`iss` = account key, `ist` = `account`).',
  ),
  PROJECT_CREDENTIALS_REQUIRED: define(
    40361,
    'This call needs project credentials',
    'The call acts inside a project and accepts only project credentials, not an account-level token.',
    'Use the project’s application ID and private key, or its API key and secret.',
  ),
} as const satisfies Record<string, ErrorDefinition>;
