/**
 * `parley-contract-tests`: runs the contract suite against a target from the command line. Exit codes:
 * 0 the target honours the spec, 1 it does not (or the run failed), 2 bad usage.
 *
 * @example
 * ```sh
 * parley-contract-tests --credentials-file .parley-data/credentials.json --preset reference-server
 * parley-contract-tests --base-url https://video.api.vonage.com --application-id "$APP_ID" \
 *   --private-key ./private.key --preset vonage
 * ```
 */
import { CredentialsError } from './auth/credentials.js';
import { CliUsageError, helpText, parseCli } from './cli/options.js';
import { SkipListError } from './skips.js';
import { runContractSuite } from './suite.js';

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: ReturnType<typeof parseCli>;
  try {
    command = parseCli(argv, env, process.cwd());
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`parley-contract-tests: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  try {
    const result = await runContractSuite(command.options);
    const { passed, failed, skipped } = result.counts;
    process.stdout.write(
      `\n${result.ok ? 'PASS' : 'FAIL'}: ${passed} passed, ${failed} failed, ${skipped} skipped` +
        (result.reportDir ? `; reports in ${result.reportDir}` : '') +
        '\n',
    );
    for (const error of result.errors) process.stderr.write(`error: ${error}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof CredentialsError || error instanceof SkipListError || error instanceof TypeError) {
      process.stderr.write(`parley-contract-tests: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
