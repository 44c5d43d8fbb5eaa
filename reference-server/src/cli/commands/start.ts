/**
 * `parley start`: runs the server until SIGTERM or SIGINT, then shuts down gracefully and exits 0.
 */
import { CONFIG_OPTIONS, type ConfigSources, loadConfig } from '../../config.js';
import { startServer } from '../../server.js';
import type { CliIo } from '../io.js';

/** The help text of `parley start`, generated from the option table. */
export function startHelp(): string {
  const width = Math.max(...CONFIG_OPTIONS.map((o) => o.flag.length)) + 4;
  const rows = CONFIG_OPTIONS.map(
    (o) =>
      `  --${o.flag.padEnd(width - 2)}${o.description}\n  ${''.padEnd(width)}env ${o.env}, default ${o.defaultText}`,
  );
  return [
    'Usage: parley start [options]',
    '',
    'Options (flags win over environment variables):',
    ...rows,
    '',
  ].join('\n');
}

/** Runs `parley start`. Resolves with the exit code once the server has stopped. */
export async function runStart(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(`${startHelp()}\n`);
    return 0;
  }
  const sources: ConfigSources = { argv, env: io.env, cwd: io.cwd };
  const config = loadConfig(sources);
  const server = await startServer(config, { out: io.out });
  const signal = await io.waitForSignal(['SIGTERM', 'SIGINT']);
  server.app.log.info({ signal }, 'signal received');
  await server.close();
  return 0;
}
