/**
 * The playground mints client tokens and REST JWTs with `@parley/server-sdk`'s own code, not a second
 * implementation. The SDK package publishes only its built `dist/`, while the reference server runs from
 * source (`tsx`) on a fresh clone with no build step, so its token and auth modules are imported from
 * source here, in this one place. They depend on nothing but `node:crypto`.
 */
export { OpenTokJwtAuthenticator } from '../../../packages/server-sdk/src/core/auth.js';
export { InvalidArgumentError } from '../../../packages/server-sdk/src/core/errors.js';
export { importHmacSecret } from '../../../packages/server-sdk/src/core/keys.js';
export { ClientTokenMinter } from '../../../packages/server-sdk/src/lib/tokens.js';
