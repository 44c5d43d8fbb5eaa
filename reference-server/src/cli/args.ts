/**
 * Argument splitting for the `parley` sub-commands other than `start` (which has its own, documented
 * option table in `config.ts`): positionals, `--flag value`, `--flag=value` and boolean switches.
 */

/** A usage error: the CLI prints it with the command's help and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parsed arguments. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
  switches: Set<string>;
}

/**
 * Splits `argv`. `valued` lists the options that take a value, `booleans` the switches; anything else
 * starting with `--` is a usage error. A bare `--` is ignored (package managers may forward one).
 */
export function parseArgs(
  argv: readonly string[],
  valued: readonly string[],
  booleans: readonly string[] = [],
): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (booleans.includes(name) && eq === -1) {
      parsed.switches.add(name);
    } else if (valued.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith('--')))
        throw new UsageError(`--${name} needs a value`);
      parsed.options.set(name, value);
    } else {
      const known = [...valued, ...booleans].map((n) => `--${n}`).join(', ') || 'none';
      throw new UsageError(`Unknown option --${name} (options: ${known})`);
    }
  }
  return parsed;
}
