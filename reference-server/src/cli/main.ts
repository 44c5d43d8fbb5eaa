/**
 * The `parley` command line: `start` runs the server, `projects …` manages projects, `errors` prints the
 * error catalogue and `config` the option table (both in Markdown, for the documentation).
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, configOptionsMarkdown } from '../config.js';
import { errorCatalogueMarkdown } from '../http/errors.js';
import { UsageError } from './args.js';
import { LOAD_TEST_HELP, runLoadTestCommand } from './commands/load-test.js';
import { PROJECTS_HELP, runProjects } from './commands/projects.js';
import { runStart, startHelp } from './commands/start.js';
import { type CliIo, processIo } from './io.js';

/** The top-level help. */
export const HELP = `Usage: parley <command> [options]

Commands:
  start                 Run the server (parley start --help lists the options).
  projects create       Create a project and print its credentials.
  projects list         List projects.
  projects rotate-secret <id>
                        Replace a project's API secret.
  load-test             Load the SFU with publishers and subscribers on 127.0.0.1
                        and print a JSON report (parley load-test --help).
  errors                Print the error catalogue (Markdown).
  config                Print the start options (Markdown).
  help                  Show this help.
`;

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    switch (command) {
      case 'start':
        return await runStart(rest, io);
      case 'projects':
        return await runProjects(rest, io);
      case 'load-test':
        return await runLoadTestCommand(rest, io);
      case 'errors':
        io.out.write(`${errorCatalogueMarkdown()}\n`);
        return 0;
      case 'config':
        io.out.write(`${configOptionsMarkdown()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out.write(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err.write(`parley: ${error.message}\n\n`);
      const help: Record<string, string> = { projects: PROJECTS_HELP, 'load-test': LOAD_TEST_HELP };
      io.err.write(command === 'start' ? startHelp() : (help[command ?? ''] ?? HELP));
      return 2;
    }
    io.err.write(`parley: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

// Run when executed directly (`tsx src/cli/main.ts …` or `bin/parley.mjs`), not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`parley: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
