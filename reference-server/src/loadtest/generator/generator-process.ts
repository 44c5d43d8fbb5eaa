/**
 * The parent's side of one media-generator process (`generator-main.ts`): forks it, correlates
 * commands with replies, and makes sure it dies with the load tool (a kill when the parent exits, and
 * the child exits on its own when the IPC channel closes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GeneratorCommand, GeneratorCommands, GeneratorReply, GeneratorRequest } from './protocol.js';

/** The generator's entry: TypeScript, run through tsx's loader like the SFU workers. */
const GENERATOR_ENTRY = fileURLToPath(new URL('./generator-main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** How long a generator may take to close its clients and exit before it is killed. */
const STOP_TIMEOUT_MS = 5_000;

/** One forked media generator. */
export class GeneratorProcess {
  /** Which generator this is (0-based), for messages and the report. */
  readonly index: number;
  /** Publishers and subscribers placed on it: the placement weight. */
  clients = 0;
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly #exited: Promise<void>;
  #nextId = 1;
  #gone = false;

  private constructor(child: ChildProcess, index: number) {
    this.#child = child;
    this.index = index;
    child.on('message', (reply: GeneratorReply) => {
      const waiter = this.#waiting.get(reply.id);
      if (!waiter) return;
      this.#waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`load generator ${index}: ${reply.error}`));
    });
    child.on('error', () => {
      // A send to a dying generator; its end is reported through 'exit'.
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#gone = true;
        for (const waiter of this.#waiting.values()) {
          waiter.reject(new Error(`load generator ${index} exited (code ${code}, signal ${signal})`));
        }
        this.#waiting.clear();
        resolve();
      });
    });
  }

  /** Forks generator number `index`; `execArgv` is added to Node's (e.g. `--cpu-prof`). */
  static start(index: number, execArgv: readonly string[] = []): GeneratorProcess {
    const child = fork(GENERATOR_ENTRY, [], {
      execArgv: ['--import', TSX_LOADER, ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const generator = new GeneratorProcess(child, index);
    // If the load tool exits without stopping it (an uncaught error, process.exit), take it along.
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', kill);
    void generator.#exited.then(() => process.off('exit', kill));
    return generator;
  }

  /** The process ID (−1 if the fork failed). */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Runs a command in the generator; rejects with its error, or when it exits first. */
  call<K extends GeneratorCommand>(
    command: K,
    args: GeneratorCommands[K]['args'],
  ): Promise<GeneratorCommands[K]['result']> {
    if (this.#gone) return Promise.reject(new Error(`load generator ${this.index} is not running`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const request: GeneratorRequest<K> = { id, command, args };
      this.#child.send(request, (error) => {
        if (!error || !this.#waiting.has(id)) return;
        this.#waiting.delete(id);
        reject(error);
      });
    });
  }

  /**
   * Closes its clients, disconnects and waits for the exit (it exits on its own, which lets a
   * `--cpu-prof` profile be written); killed after {@link STOP_TIMEOUT_MS}.
   */
  async stop(): Promise<void> {
    if (this.#gone) return;
    await this.call('close', {}).catch(() => undefined);
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}
