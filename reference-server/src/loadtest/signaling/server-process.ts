/**
 * Runs the reference server exactly as a user would (`parley start`, memory store, a port chosen by the
 * system on 127.0.0.1) in a child process of its own, so benchmarks can load it from other processes and
 * measure its CPU and memory from the outside ({@link sampleProcess}). Its log goes to a file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CredentialsFile } from '../../projects/credentials-file.js';
import { INSPECTOR_LISTENING, type MemoryAfterGc, memoryAfterGc } from './inspector-memory.js';
import { type ProcessSample, sampleProcess } from './process-sampler.js';

/** The reference server package (its `src/cli/main.ts` is started). */
const PACKAGE_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** More `parley start` flags, e.g. `['--sfu-workers', '2']`. */
  args?: readonly string[];
  /** `--log-level`. Default `info`, as in production. */
  logLevel?: string;
  /** Write a V8 CPU profile (`--cpu-prof`) into this directory when the server exits. */
  cpuProfileDir?: string;
  /** How long the server may take to listen, in ms. Default 60000. */
  startTimeoutMs?: number;
  /**
   * Start the server with its inspector on 127.0.0.1 (`--inspect`), so that {@link ServerProcess.memoryAfterGc}
   * can read its memory after a full garbage collection. Default false.
   */
  inspect?: boolean;
}

/** A running server child. */
export interface ServerProcess {
  /** The base URL, `http://127.0.0.1:<port>`. */
  url: string;
  pid: number;
  /** The default project's credentials, as `parley start` wrote them. */
  credentials: CredentialsFile;
  /** The server's stdout and stderr (pino JSON lines). */
  logFile: string;
  /** Reads the server's CPU time and RSS from /proc. */
  sample(): Promise<ProcessSample>;
  /** The server's memory after a full garbage collection (only when started with `inspect`). */
  memoryAfterGc(): Promise<MemoryAfterGc>;
  /** Stops it with SIGTERM (graceful shutdown; SIGKILL after 20 s) and removes its data directory. */
  stop(): Promise<void>;
}

const LISTENING = /Parley reference server listening on (\S+) \(pid (\d+)\)/;

/** Starts `parley start` in a child process and resolves once it listens. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-server-'));
  const logFile = join(dataDir, 'server.log');
  const log = createWriteStream(logFile);
  const node = [
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ...(options.inspect ? ['--inspect=127.0.0.1:0'] : []),
    '--import',
    'tsx',
    join(PACKAGE_DIR, 'src/cli/main.ts'),
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--store',
    'memory',
    '--data-dir',
    dataDir,
    '--playground',
    'off',
    '--log-level',
    options.logLevel ?? 'info',
    ...(options.args ?? []),
  ];
  // PARLEY_* variables of the calling shell must not change what is measured: the flags above say it all.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PARLEY_')));
  const child = spawn(process.execPath, node, { cwd: PACKAGE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.pipe(log, { end: false });
  let inspectorUrl: string | undefined;
  if (options.inspect && child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      inspectorUrl ??= INSPECTOR_LISTENING.exec(line)?.[1];
    });
  }
  // 'close' (every stdio stream done), not 'exit': no log line may arrive after the log file is closed.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const cleanup = async (): Promise<void> => {
    process.off('exit', killOnExit);
    log.end();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const { url, pid } = await waitForListening(child, log, options.startTimeoutMs ?? 60_000);
    const credentials = JSON.parse(
      await readFile(join(dataDir, 'credentials.json'), 'utf8'),
    ) as CredentialsFile;
    return {
      url,
      pid,
      credentials,
      logFile,
      sample: () => sampleProcess(pid),
      memoryAfterGc() {
        if (inspectorUrl === undefined) {
          return Promise.reject(new Error('the server was not started with inspect: true'));
        }
        return memoryAfterGc(inspectorUrl);
      },
      async stop() {
        await stopChild(child, closed);
        await cleanup();
      },
    };
  } catch (error) {
    await stopChild(child, closed);
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).slice(-2000);
    await cleanup();
    throw new Error(`parley start failed: ${(error as Error).message}\n${tail}`, { cause: error });
  }
}

/** Reads stdout until the banner's "listening" line; everything (before and after) goes to the log. */
function waitForListening(
  child: ChildProcess,
  log: NodeJS.WritableStream,
  timeoutMs: number,
): Promise<{ url: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`not listening after ${timeoutMs} ms`)), timeoutMs);
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      const match = ready ? null : LISTENING.exec(line);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolve({ url: match[1] as string, pid: Number(match[2]) });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening`));
    });
  });
}

async function stopChild(child: ChildProcess, closed: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await closed;
  clearTimeout(timer);
}
