/**
 * Key material, imported once per client and cached: RSA private keys (Vonage applications) and API
 * secrets (legacy OpenTok projects). Each is held as a Node `KeyObject`, so no call re-parses a PEM or
 * re-imports a secret. (HMAC with a `KeyObject` is also much cheaper than with a raw `Buffer` key, whose
 * every use Node re-validates.)
 */
import { createPrivateKey, createSecretKey, KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError } from './errors.js';

/** A private key as PEM text, a path to a PEM file, PEM bytes, or an imported `KeyObject`. */
export type PrivateKeyInput = string | Uint8Array | KeyObject;

/** An imported RSA private key, ready for RS256. */
export interface RsaSigningKey {
  readonly kind: 'rsa';
  readonly keyObject: KeyObject;
}

/** An imported HMAC secret, ready for HS256 JWTs and HMAC-SHA1 `T1==` tokens. */
export interface HmacSigningKey {
  readonly kind: 'hmac';
  readonly keyObject: KeyObject;
}

/**
 * Reads `input` as PEM: literal PEM text (a `\n`-escaped one-line form, common in environment
 * variables, is accepted), or else the path of a file holding it.
 */
function pemText(input: string, field: string): string {
  if (input.includes('-----BEGIN')) return input.replace(/\\n/g, '\n');
  if (input.trim() !== '' && existsSync(input)) return readFileSync(input, 'utf8');
  throw new InvalidArgumentError(field, 'must be a PEM private key or the path of a file holding one');
}

/** Imports an RSA private key for RS256 signing; throws {@link InvalidArgumentError} naming `field`. */
export function importRsaPrivateKey(input: PrivateKeyInput, field = 'privateKey'): RsaSigningKey {
  let keyObject: KeyObject;
  try {
    if (input instanceof KeyObject) keyObject = input;
    else if (typeof input === 'string') keyObject = createPrivateKey(pemText(input, field));
    else keyObject = createPrivateKey(Buffer.from(input));
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw new InvalidArgumentError(field, `could not be read as a private key: ${(error as Error).message}`);
  }
  if (keyObject.type !== 'private' || keyObject.asymmetricKeyType !== 'rsa') {
    throw new InvalidArgumentError(field, 'must be an RSA private key (Vonage application keys are RSA)');
  }
  return { kind: 'rsa', keyObject };
}

/** Imports an API secret (used as its UTF-8 bytes, as every OpenTok SDK does) for HMAC signing. */
export function importHmacSecret(secret: string, field = 'apiSecret'): HmacSigningKey {
  if (typeof secret !== 'string' || secret === '') {
    throw new InvalidArgumentError(field, 'must be a non-empty string');
  }
  return { kind: 'hmac', keyObject: createSecretKey(Buffer.from(secret, 'utf8')) };
}
