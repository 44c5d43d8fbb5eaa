/**
 * Loads `node:sqlite` without its one-time ExperimentalWarning. Node 22 (our minimum) still marks the
 * module experimental and prints a warning on first load, which would end up in every server log and CLI
 * run. Only that single warning is filtered; every other warning passes through untouched.
 */
import { createRequire } from 'node:module';

type SqliteModule = typeof import('node:sqlite');

let loaded: SqliteModule | undefined;

/** Returns the `node:sqlite` module, loading it (quietly) on first use. */
export function loadSqlite(): SqliteModule {
  // A synchronous load keeps opening a store synchronous; `require` of a builtin is fine under ESM.
  loaded ??= withoutSqliteWarning(() => createRequire(import.meta.url)('node:sqlite') as SqliteModule);
  return loaded;
}

/** Runs `fn` with SQLite's ExperimentalWarning filtered out, restoring `process.emitWarning` afterwards. */
export function withoutSqliteWarning<T>(fn: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = function filtered(this: typeof process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const option = rest[0];
    const type = typeof option === 'string' ? option : (option as { type?: unknown } | undefined)?.type;
    const name = typeof warning === 'string' ? type : warning.name;
    if (name === 'ExperimentalWarning' && /sqlite/i.test(text)) return;
    // biome-ignore lint/complexity/noArguments: forwards every overload of emitWarning verbatim.
    return Reflect.apply(original, this, arguments);
  } as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = original;
  }
}
