/**
 * The load generator's processes: the benchmark forks one or more (`generator-main.ts`), each holding a
 * {@link SignalingClientGroup}, so the thousand clients never share an event loop with the server or with
 * the benchmark's own bookkeeping. This is the parent's side: typed request/reply over the IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GroupJoinOptions, GroupJoinResult, Receipts, SignalRun } from './client-group.js';
import { type ProcessSample, sampleProcess } from './process-sampler.js';
import type { JoinTarget } from './protocol-client.js';

/** The commands a generator process answers, with their arguments and results. */
export interface GeneratorCommands {
  join: { args: { targets: JoinTarget[]; options: GroupJoinOptions }; result: GroupJoinResult };
  signal: { args: { count: number; intervalMs: number }; result: SignalRun };
  receipts: { args: Record<string, never>; result: Receipts };
  status: {
    args: Record<string, never>;
    result: { size: number; receipts: number; lost: { count: number; reasons: string[] } };
  };
  close: { args: Record<string, never>; result: { closed: number } };
}

/** A command name. */
export type GeneratorCommand = keyof GeneratorCommands;

/** A request from the parent. */
export interface GeneratorRequest<K extends GeneratorCommand = GeneratorCommand> {
  id: number;
  command: K;
  args: GeneratorCommands[K]['args'];
}

/** A reply from the generator. */
export type GeneratorReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

const MAIN = fileURLToPath(new URL('./generator-main.ts', import.meta.url));

/** One forked generator process. */
export class GeneratorProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly #exited: Promise<void>;
  #nextId = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: GeneratorReply) => {
      const waiter = this.#waiting.get(reply.id);
      if (!waiter) return;
      this.#waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.error));
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        for (const waiter of this.#waiting.values()) {
          waiter.reject(new Error(`the load generator exited (code ${code}, signal ${signal})`));
        }
        this.#waiting.clear();
        resolve();
      });
    });
  }

  /** Forks a generator (TypeScript through tsx, like the rest of the benchmarks). */
  static start(): GeneratorProcess {
    const child = fork(MAIN, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const generator = new GeneratorProcess(child);
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', kill);
    void generator.#exited.then(() => process.off('exit', kill));
    return generator;
  }

  /** The process ID. */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** CPU time and RSS of the generator. */
  sample(): Promise<ProcessSample> {
    return sampleProcess(this.pid);
  }

  /** Runs a command in the generator. */
  call<K extends GeneratorCommand>(
    command: K,
    args: GeneratorCommands[K]['args'],
  ): Promise<GeneratorCommands[K]['result']> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const request: GeneratorRequest<K> = { id, command, args };
      this.#child.send(request, (error) => {
        if (!error) return;
        this.#waiting.delete(id);
        reject(error);
      });
    });
  }

  /** Closes its clients, then ends the process (killed if it does not exit within 10 s). */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      await this.call('close', {}).catch(() => undefined);
      this.#child.disconnect();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}
