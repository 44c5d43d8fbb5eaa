/**
 * The one typed event emitter of the Parley codebase (server and browser client alike).
 *
 * Events are declared as a map from event name to the tuple of its arguments:
 *
 * ```ts
 * type SessionEvents = { connectionCreated: [connection: Connection]; signal: [type: string, data: string] };
 * class Session extends TypedEmitter<SessionEvents> {}
 * session.on('signal', (type, data) => {});   // fully typed
 * ```
 *
 * A listener that throws never breaks the emitter or the other listeners: the error is re-emitted as
 * `listenerError` (and, when nothing listens to that, reported through `reportError`/`console.error`),
 * never swallowed. No Node built-ins, so it runs in browsers.
 */

/** An event map: event name → argument tuple. */
export type EventMap = { [event: string]: unknown[] };

/** The events every emitter has in addition to its own. */
export type BaseEvents = {
  /** A listener threw. Args: the error, the event whose listener threw. */
  listenerError: [error: unknown, event: string];
};

/** A listener for the event `K` of the map `E`. */
export type Listener<E extends EventMap, K extends keyof E> = (...args: E[K]) => void;

type AllEvents<E extends EventMap> = E & BaseEvents;

/** A small, typed, listener-safe event emitter. */
export class TypedEmitter<E extends EventMap> {
  #listeners = new Map<keyof AllEvents<E>, Set<(...args: never[]) => void>>();

  /** Adds a listener; returns `this` for chaining. */
  on<K extends keyof AllEvents<E> & string>(event: K, listener: Listener<AllEvents<E>, K>): this {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (...args: never[]) => void);
    return this;
  }

  /** Adds a listener that runs at most once. */
  once<K extends keyof AllEvents<E> & string>(event: K, listener: Listener<AllEvents<E>, K>): this {
    const wrapper = ((...args: AllEvents<E>[K]) => {
      this.off(event, wrapper);
      listener(...args);
    }) as Listener<AllEvents<E>, K>;
    return this.on(event, wrapper);
  }

  /** Removes a listener (no effect when it was not added). */
  off<K extends keyof AllEvents<E> & string>(event: K, listener: Listener<AllEvents<E>, K>): this {
    const set = this.#listeners.get(event);
    set?.delete(listener as (...args: never[]) => void);
    if (set && set.size === 0) this.#listeners.delete(event);
    return this;
  }

  /** Removes every listener of one event, or of all events. */
  removeAllListeners(event?: keyof AllEvents<E> & string): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** How many listeners an event has. */
  listenerCount(event: keyof AllEvents<E> & string): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /**
   * Calls every listener of `event` with `args`, in the order they were added. Returns whether there
   * was any listener. A throwing listener is reported as `listenerError` and the others still run.
   */
  emit<K extends keyof AllEvents<E> & string>(event: K, ...args: AllEvents<E>[K]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        (listener as (...a: AllEvents<E>[K]) => void)(...args);
      } catch (error) {
        this.#reportListenerError(error, event);
      }
    }
    return true;
  }

  #reportListenerError(error: unknown, event: string): void {
    const handlers = event === 'listenerError' ? undefined : this.#listeners.get('listenerError');
    if (handlers && handlers.size > 0) {
      for (const handler of [...handlers]) {
        try {
          (handler as (error: unknown, event: string) => void)(error, event);
        } catch (handlerError) {
          reportUncaught(handlerError, 'listenerError');
        }
      }
      return;
    }
    reportUncaught(error, event);
  }
}

/**
 * Surfaces an error nobody handled without breaking the emitter, the way browsers report uncaught
 * errors (`reportError`), or on the console where that does not exist.
 */
function reportUncaught(error: unknown, event: string): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error(`Unhandled error in a "${event}" listener:`, error);
}

/**
 * Resolves with the arguments of the next `event`; rejects with an `AbortError` when `signal` aborts.
 */
export function onceEvent<E extends EventMap, K extends keyof E & string>(
  emitter: TypedEmitter<E>,
  event: K,
  signal?: AbortSignal,
): Promise<E[K]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
      return;
    }
    const listener = ((...args: E[K]) => {
      emitter.off(event, listener);
      signal?.removeEventListener('abort', onAbort);
      resolve(args);
    }) as Listener<AllEvents<E>, K>;
    const onAbort = (): void => {
      emitter.off(event, listener);
      reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    emitter.on(event, listener);
  });
}
