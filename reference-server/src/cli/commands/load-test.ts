/**
 * `parley load-test`: drives the SFU with N publishers × M subscribers of werift clients on 127.0.0.1
 * and prints the report as JSON (see `src/loadtest/run.ts` for what each figure means).
 */
import { LoadTestOptionError, type LoadTestOptions } from '../../loadtest/options.js';
import { runLoadTest } from '../../loadtest/run.js';
import { parseArgs, UsageError } from '../args.js';
import type { CliIo } from '../io.js';

/** The help of `parley load-test`. */
export const LOAD_TEST_HELP = `Usage: parley load-test [options]

Runs the SFU in worker processes and loads it with werift clients replaying pre-encoded VP8 and Opus,
all on 127.0.0.1. Prints a JSON report: forwarded packets per server core-second, delivery ratio,
sequence gaps, RSS per forwarded stream, connect time and time to first packet.

Options:
  --publishers <n>      Publishers, one session each (default 1)
  --subscribers <n>     Subscribers per publisher (default 1; 16 for a 1→16 fan-out)
  --media <kind>        audio, video or audio+video (default audio+video)
  --workers <n>         SFU worker processes (default 1)
  --generators <n>      Load-generator processes running the clients (default: one per 12 forwarded
                        streams, at most one per core and one per publisher)
  --warmup <seconds>    Wait after connecting, before measuring (default 2)
  --duration <seconds>  Measurement window (default 10)
  --concurrency <n>     Clients connecting at once (default 4)
  --cpu-prof <dir>      Write V8 CPU profiles of the SFU workers and the generators into <dir>
  --datapath <kind>     The SFU's datapath: auto, native or javascript (default auto; see
                        parley start --help, --sfu-datapath)
  --shared-port <on|off>  One UDP port per SFU worker for every peer connection (default on; see
                        parley start --help, --media-shared-port)
  --quiet               No progress on stderr
`;

const NUMERIC = {
  publishers: 'publishers',
  subscribers: 'subscribersPerPublisher',
  workers: 'workers',
  generators: 'generators',
  warmup: 'warmupSeconds',
  duration: 'durationSeconds',
  concurrency: 'connectConcurrency',
} as const satisfies Record<string, keyof LoadTestOptions>;

/** Runs `parley load-test`; resolves with the exit code. */
export async function runLoadTestCommand(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(LOAD_TEST_HELP);
    return 0;
  }
  const args = parseArgs(
    argv,
    [...Object.keys(NUMERIC), 'media', 'cpu-prof', 'datapath', 'shared-port'],
    ['quiet'],
  );
  if (args.positionals.length > 0) throw new UsageError(`Unexpected argument "${args.positionals[0]}"`);
  const options: LoadTestOptions = {};
  for (const [flag, field] of Object.entries(NUMERIC)) {
    const raw = args.options.get(flag);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value))
      throw new UsageError(`--${flag} must be a number, got "${raw}"`);
    options[field] = value;
  }
  const media = args.options.get('media');
  if (media !== undefined) options.media = media as LoadTestOptions['media'];
  const datapath = args.options.get('datapath');
  if (datapath !== undefined) options.datapath = datapath as LoadTestOptions['datapath'];
  const sharedPort = args.options.get('shared-port');
  if (sharedPort !== undefined) {
    if (sharedPort !== 'on' && sharedPort !== 'off') {
      throw new UsageError(`--shared-port must be on or off, got "${sharedPort}"`);
    }
    options.sharedPort = sharedPort === 'on';
  }
  const profileDir = args.options.get('cpu-prof');
  if (profileDir !== undefined) options.cpuProfileDir = profileDir;
  const quiet = args.switches.has('quiet');
  try {
    const report = await runLoadTest(options, (line) => quiet || io.err.write(`load-test: ${line}\n`));
    io.out.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof LoadTestOptionError) throw new UsageError(error.message);
    throw error;
  }
}
