/**
 * The value parsers the options of `parley start` are built from. Each turns the raw text of a flag or
 * environment variable into a value, or throws a {@link ConfigError} that names the flag; `loadConfig`
 * swaps the flag for the environment variable's name when the value came from one.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP, isIPv4 } from 'node:net';
import { isAbsolute, resolve } from 'node:path';

/** A flag or environment variable with a bad value, or an unknown flag. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** What parsing needs besides the raw text. */
export interface ConfigContext {
  /** The directory relative paths are resolved against. */
  baseDir: string;
}

/** An integer from `min` to `max`. */
export const integer =
  (name: string, min: number, max: number) =>
  (raw: string): number => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };

/** One of a fixed list of words. */
export const oneOf =
  <T extends string>(name: string, values: readonly T[]) =>
  (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };

/** A switch: `on`/`true` or `off`/`false`, in any case. */
export const onOff =
  (name: string) =>
  (raw: string): boolean => {
    const value = raw.trim().toLowerCase();
    if (value === 'on' || value === 'true') return true;
    if (value === 'off' || value === 'false') return false;
    throw new ConfigError(`${name} must be on or off, got "${raw}"`);
  };

/** Text that must not be blank, trimmed. */
export const nonEmpty =
  (name: string) =>
  (raw: string): string => {
    if (raw.trim() === '') throw new ConfigError(`${name} must not be empty`);
    return raw.trim();
  };

/** A path; relative paths resolve against the directory the command was started from. */
export const path =
  (name: string) =>
  (raw: string, { baseDir }: ConfigContext): string => {
    const value = nonEmpty(name)(raw);
    return isAbsolute(value) ? value : resolve(baseDir, value);
  };

/** An IPv4 address literal. */
export const ipv4 = (name: string, raw: string): string => {
  const value = raw.trim();
  if (!isIPv4(value)) throw new ConfigError(`${name} must be an IPv4 address, got "${raw}"`);
  return value;
};

/** An IPv4 or IPv6 address literal (no host name: it goes into SIP headers and SDP as it is). */
export const ipAddress =
  (name: string) =>
  (raw: string): string => {
    const value = raw.trim();
    if (isIP(value) === 0) throw new ConfigError(`${name} must be an IPv4 or IPv6 address, got "${raw}"`);
    return value;
  };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The path of a PEM file of one or more CA certificates, read and checked at startup so that a wrong path
 * or a file that is not a certificate stops the server with the flag's name instead of failing the first
 * TLS call. Returns the file's certificates as PEM text.
 */
export const pemCertificatesFile =
  (name: string) =>
  (raw: string, context: ConfigContext): string => {
    const file = path(name)(raw, context);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError(`${name} must name a readable PEM file, could not read "${file}" (${reason})`);
    }
    const certificates = text.match(PEM_CERTIFICATE) ?? [];
    if (certificates.length === 0) {
      throw new ConfigError(
        `${name} must name a PEM file of CA certificates, "${file}" has no CERTIFICATE block`,
      );
    }
    certificates.forEach((pem, index) => {
      try {
        new X509Certificate(pem);
      } catch (error) {
        throw new ConfigError(
          `${name}: certificate ${index + 1} of "${file}" is not a valid X.509 certificate (${(error as Error).message})`,
        );
      }
    });
    return `${certificates.join('\n')}\n`;
  };
