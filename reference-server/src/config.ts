/**
 * Server configuration: command-line flags, then environment variables, then defaults. The options are
 * declared in `config-options.ts` (one entry each: flag, variable, documented default, parser) from
 * parsers in `config-values.ts`; this file reads them from the command line and the environment.
 */
import { isAbsolute, resolve } from 'node:path';
import { CONFIG_OPTIONS, type ConfigOption, type ServerConfig } from './config-options.js';
import { type ConfigContext, ConfigError } from './config-values.js';

export {
  CONFIG_OPTIONS,
  type ConfigOption,
  DURABILITY_LEVELS,
  LOG_LEVELS,
  type LogLevel,
  type ServerConfig,
  STORE_KINDS,
  type StoreKind,
} from './config-options.js';
export { type ConfigContext, ConfigError } from './config-values.js';

/** Where {@link loadConfig} reads from. */
export interface ConfigSources {
  /** Arguments after the sub-command, e.g. `['--port', '4100']`. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** The process working directory. */
  cwd: string;
}

/** The directory relative paths resolve against: where the user typed the command. */
export function baseDirectory(sources: Pick<ConfigSources, 'env' | 'cwd'>): string {
  // pnpm and npm run scripts in the package directory but record where the command was typed in
  // INIT_CWD; resolving against it makes `pnpm start` at the repo root use `<repo>/.parley-data`.
  const initCwd = sources.env.INIT_CWD;
  return initCwd && isAbsolute(initCwd) ? initCwd : sources.cwd;
}

/**
 * Parses flags (`--port 4100` or `--port=4100`), then environment variables, then defaults. A bare `--`
 * (as package managers may forward it) is ignored. Throws {@link ConfigError} for unknown flags and bad
 * values, naming the flag or variable.
 */
export function loadConfig(sources: ConfigSources): ServerConfig {
  const context: ConfigContext = { baseDir: baseDirectory(sources) };
  const fromFlags = parseFlags(sources.argv);
  const raw = (o: ConfigOption): { text: string; origin: string } | null => {
    const flag = fromFlags.get(o.flag);
    if (flag !== undefined) return { text: flag, origin: `--${o.flag}` };
    const env = sources.env[o.env];
    if (env !== undefined && env !== '') return { text: env, origin: o.env };
    return null;
  };
  const value = <K extends keyof ServerConfig>(key: K, fallback: ServerConfig[K]): ServerConfig[K] => {
    const o = CONFIG_OPTIONS.find((candidate) => candidate.key === key) as ConfigOption<K>;
    const found = raw(o);
    if (!found) return fallback;
    try {
      return o.parse(found.text, context);
    } catch (error) {
      // Name the environment variable when the bad value came from one.
      if (error instanceof ConfigError && found.origin !== `--${o.flag}`) {
        throw new ConfigError(error.message.replace(`--${o.flag}`, found.origin));
      }
      throw error;
    }
  };
  return {
    host: value('host', '127.0.0.1'),
    port: value('port', 4000),
    dataDir: value('dataDir', resolve(context.baseDir, '.parley-data')),
    store: value('store', 'sqlite'),
    durability: value('durability', 'normal'),
    publicUrl: value('publicUrl', null),
    logLevel: value('logLevel', 'info'),
    rateLimit: value('rateLimit', 100),
    rateBurst: value('rateBurst', 200),
    bodyLimit: value('bodyLimit', 1_048_576),
    shutdownTimeoutMs: value('shutdownTimeoutMs', 10_000),
    playground: value('playground', true),
    mediaListenIps: value('mediaListenIps', ['127.0.0.1']),
    mediaAnnouncedAddress: value('mediaAnnouncedAddress', null),
    ...mediaPorts(value('mediaPortMin', null), value('mediaPortMax', null)),
    mediaSharedPort: value('mediaSharedPort', true),
    turnServers: value('turnServers', []),
    sfuWorkers: value('sfuWorkers', 0),
    simulcast: value('simulcast', false),
    sfuDatapath: value('sfuDatapath', 'auto'),
    recordingsDir: value('recordingsDir', null),
    ffmpegPath: value('ffmpegPath', 'ffmpeg'),
    chromiumPath: value('chromiumPath', null),
    sipAddress: value('sipAddress', null),
    sipTlsCa: value('sipTlsCa', null),
  };
}

/** Checks the media port range as a whole: both ends or neither, the lower below the higher. */
function mediaPorts(
  min: number | null,
  max: number | null,
): Pick<ServerConfig, 'mediaPortMin' | 'mediaPortMax'> {
  if ((min === null) !== (max === null)) {
    throw new ConfigError(
      '--media-port-min and --media-port-max (PARLEY_MEDIA_PORT_MIN, PARLEY_MEDIA_PORT_MAX) must be set together',
    );
  }
  if (min !== null && max !== null && max <= min) {
    throw new ConfigError(`--media-port-max (${max}) must be above --media-port-min (${min})`);
  }
  return { mediaPortMin: min, mediaPortMax: max };
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const known = new Set(CONFIG_OPTIONS.map((o) => o.flag));
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (!arg.startsWith('--'))
      throw new ConfigError(`Unexpected argument "${arg}"; options look like --port 4000`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!known.has(name)) {
      throw new ConfigError(
        `Unknown option --${name}; known options: ${[...known].map((k) => `--${k}`).join(', ')}`,
      );
    }
    let text: string | undefined;
    if (eq !== -1) text = arg.slice(eq + 1);
    else {
      text = argv[i + 1];
      if (text === undefined || text.startsWith('--')) throw new ConfigError(`--${name} needs a value`);
      i++;
    }
    flags.set(name, text);
  }
  return flags;
}

/** The base URL of a server listening on `host:port`, as clients on this machine reach it. */
export function localUrl(host: string, port: number): string {
  // A wildcard address is not something a client can connect to; loopback always works locally.
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const bracketed = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}`;
}

/** The options as a Markdown table ("Flag | Environment | Default | Description"), for docs and `--help`. */
export function configOptionsMarkdown(): string {
  const rows = CONFIG_OPTIONS.map(
    (o) =>
      `| \`--${o.flag}\` | \`${o.env}\` | \`${o.defaultText}\` | ${o.description.replaceAll('|', '\\|')} |`,
  );
  return ['| Flag | Environment | Default | Description |', '|---|---|---|---|', ...rows].join('\n');
}
