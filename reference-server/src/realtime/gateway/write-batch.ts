/**
 * Coalesces a socket's writes: the first frame written to a socket in an event-loop turn corks it, and
 * one callback after the turn's I/O (`setImmediate`) uncorks every socket corked in the meantime. Frames
 * written to one socket in the same turn (a reply and the announcements that follow it, the
 * announcements of several joins, a burst of signals) then leave in one `writev` instead of one syscall
 * each. `ws` corks around each frame it writes; corks nest, so its frames wait for ours.
 */

/** The part of a socket the batch needs (`net.Socket` has it). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Corks sockets until the end of the current event-loop turn. */
export class WriteBatch {
  readonly #corked = new Set<Corkable>();
  #scheduled = false;

  /** Holds the socket's writes until the end of this turn (idempotent within the turn). */
  hold(socket: Corkable): void {
    if (this.#corked.has(socket)) return;
    socket.cork();
    this.#corked.add(socket);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** How many sockets are corked right now (for tests). */
  get held(): number {
    return this.#corked.size;
  }

  /** Uncorks every held socket now (bound: it is the scheduled callback). */
  readonly flush = (): void => {
    this.#scheduled = false;
    if (this.#corked.size === 0) return;
    const sockets = [...this.#corked];
    this.#corked.clear();
    // A socket ended or destroyed since it was corked ignores the uncork.
    for (const socket of sockets) socket.uncork();
  };
}
