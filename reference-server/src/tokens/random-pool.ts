/**
 * Random bytes for identifiers, drawn from a pool refilled in large blocks.
 *
 * `randomBytes(16)` asks OpenSSL for 16 bytes each time and measured about 4 µs per call on
 * `POST /session/create`'s path (see `bench/PROFILE.md`); drawing from a 4 KiB pool filled by one
 * `randomFillSync` call costs about 1 µs. Node's own `randomUUID` pools the same way. The bytes are the
 * same CSPRNG output either way, and each is handed out once.
 */
import { randomFillSync } from 'node:crypto';

/** The pool size: 256 draws of 16 bytes per refill. */
const POOL_BYTES = 4096;

const pool = Buffer.alloc(POOL_BYTES);
/** The next unused byte; starts past the end so the first draw fills the pool. */
let offset = POOL_BYTES;

/** `length` (1 to 4096) random bytes as base64url text. */
export function randomBase64Url(length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > POOL_BYTES) {
    throw new RangeError(`length must be an integer from 1 to ${POOL_BYTES}, got ${length}`);
  }
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const text = pool.toString('base64url', offset, offset + length);
  // Wiped once used, so a byte that became part of an identifier never stays in the pool.
  pool.fill(0, offset, offset + length);
  offset += length;
  return text;
}
