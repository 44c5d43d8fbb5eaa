/**
 * The server's lifecycle phase and its dependency checks, which `GET /readyz` reports and the drain on
 * shutdown uses to refuse new requests.
 */

/** Where the process is in its lifecycle. */
export type Phase = 'starting' | 'running' | 'draining';

/** One dependency check: resolves true when the dependency is healthy. */
export type ReadinessCheck = () => Promise<boolean>;

/** The body of `GET /readyz` (the spec's `ReadinessStatus`). */
export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  phase: Phase;
  checks: Record<string, 'ok' | 'failing'>;
}

/** How long one check may take before it counts as failing, in ms. */
const CHECK_TIMEOUT_MS = 2000;

/** The lifecycle state of one app. */
export class Lifecycle {
  #phase: Phase = 'starting';
  readonly #checks = new Map<string, ReadinessCheck>();

  /** The current phase. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Marks the server as running (after start-up) or draining (on shutdown). Draining is final. */
  setPhase(phase: Phase): void {
    if (this.#phase === 'draining') return;
    this.#phase = phase;
  }

  /** Adds a dependency check under `name` (e.g. `store`, `media`). */
  addCheck(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check);
  }

  /** Runs every check (in parallel, each bounded by a timeout) and reports readiness. */
  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.#checks].map(
        async ([name, check]) => [name, (await runCheck(check)) ? 'ok' : 'failing'] as const,
      ),
    );
    const checks = Object.fromEntries(entries);
    const ready = this.#phase === 'running' && entries.every(([, result]) => result === 'ok');
    return { status: ready ? 'ready' : 'not_ready', phase: this.#phase, checks };
  }
}

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
