/**
 * Cheap random hex strings for token nonces. `crypto.randomBytes(8)` costs a call into OpenSSL per
 * nonce, which dominated legacy token minting; this draws from a pooled buffer refilled by
 * `randomFillSync` (the same cryptographically secure source), as Node's own `randomUUID` does.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 2048;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/** `byteCount` cryptographically random bytes as lower-case hex (`2 × byteCount` characters). */
export function randomHex(byteCount: number): string {
  if (!Number.isInteger(byteCount) || byteCount <= 0 || byteCount > POOL_SIZE) {
    throw new RangeError(`byteCount must be an integer from 1 to ${POOL_SIZE} (got ${byteCount})`);
  }
  if (offset + byteCount > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + byteCount);
  offset += byteCount;
  return hex;
}
