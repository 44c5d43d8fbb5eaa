/**
 * Encryption of secrets at rest (the archive storage target's `secretKey` / `accountKey`): AES-256-GCM
 * with a 256-bit server key that lives in the data directory (`secret.key`, mode 0600), never in the
 * database. Someone who copies only `parley.db` learns no storage credentials.
 *
 * A sealed value is `v1.<iv>.<ciphertext+tag>` (base64url). Every value is sealed with associated data
 * naming what it is (e.g. `archiveStorage:<applicationId>:secretKey`), so a ciphertext copied into another
 * project's record or field does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmod, link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file name of the server's secret key in the data directory. */
export const SECRET_KEY_FILE = 'secret.key';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that does not open: wrong key, wrong associated data, or tampered. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/** Seals and opens secrets with one AES-256-GCM key. */
export class SecretBox {
  readonly #key: Buffer;

  /** `key` must be 32 bytes. */
  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) throw new RangeError(`The secret key must be ${KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
  }

  /** A box with a fresh random key, for stores that do not outlive the process (tests, `--store memory`). */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(KEY_BYTES));
  }

  /**
   * A 32-byte key for another purpose (e.g. signing download links), derived with HKDF-SHA256 so it
   * survives restarts with the box's key and never exposes it.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `parley:${purpose}`, KEY_BYTES));
  }

  /** Encrypts `plaintext`, bound to `context` (the associated data). */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}`;
  }

  /** Decrypts a value sealed with the same key and `context`. Throws {@link SecretBoxError}. */
  open(sealed: string, context: string): string {
    const [version, ivText, bodyText, ...rest] = sealed.split('.');
    if (version !== VERSION || ivText === undefined || bodyText === undefined || rest.length > 0) {
      throw new SecretBoxError('Not a sealed secret');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SecretBoxError('Not a sealed secret');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError(
        'The sealed secret does not open with this key (another data directory, or tampered)',
        { cause: error },
      );
    }
  }
}

/**
 * Loads the server key from `<dataDir>/secret.key`, creating it (mode 0600) on first use. Safe when the
 * server and a CLI command race to create it: the exclusive create wins once and the loser reads it.
 */
export async function loadOrCreateSecretBox(dataDir: string): Promise<SecretBox> {
  const file = join(dataDir, SECRET_KEY_FILE);
  // Written completely under a temporary name, then hard-linked into place: `link` fails if the key
  // exists, so a racing process never reads a half-written key and an existing key is never replaced.
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
  try {
    await chmod(temporary, 0o600);
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`${file} does not hold a ${KEY_BYTES}-byte base64 key; restore it from a backup`);
  }
  return new SecretBox(key);
}
