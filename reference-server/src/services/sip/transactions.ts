/**
 * Client transactions (RFC 3261 §17.1) of one SIP call: each request waits for its final response,
 * retransmitted over UDP on timers A/E (T1, doubling, capped at T2 for non-INVITE), and fails with a
 * local `408` after timer B/F (64 × T1). Over TCP and TLS nothing is retransmitted. Responses are
 * matched to their transaction by the top Via `branch` and the CSeq method (§17.1.3).
 */
import { randomBytes } from 'node:crypto';
import { header, headerParam, type SipRequest, type SipResponse } from './message.js';
import type { SipTransport } from './transport.js';

/** RFC 3261 timer defaults, in ms. */
export interface SipTimers {
  /** Round-trip estimate (500 ms). */
  t1: number;
  /** Longest non-INVITE retransmit interval (4 s). */
  t2: number;
}

/** The RFC 3261 defaults. */
export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000 };

/** A new branch parameter, with the RFC 3261 magic cookie. */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(8).toString('hex')}`;
}

/** What a transaction reports. */
export interface TransactionHandlers {
  /**
   * Every response, provisional and final; `local` is true for the 408 the UAC makes up on timeout
   * (nothing came from the network, so nothing is acknowledged).
   */
  onResponse(response: SipResponse, local: boolean): void;
}

interface Pending {
  request: SipRequest;
  handlers: TransactionHandlers;
  retransmit: NodeJS.Timeout | undefined;
  timeout: NodeJS.Timeout;
  interval: number;
}

/** The client transactions of one transport; see the file comment. */
export class ClientTransactions {
  readonly #transport: SipTransport;
  readonly #timers: SipTimers;
  readonly #pending = new Map<string, Pending>();

  constructor(transport: SipTransport, timers: SipTimers = DEFAULT_TIMERS) {
    this.#transport = transport;
    this.#timers = timers;
  }

  /** Sends `request` (its top Via carries the branch) and reports its responses to `handlers`. */
  start(request: SipRequest, handlers: TransactionHandlers): void {
    const key = keyOf(header(request, 'via') ?? '', request.method);
    const { t1 } = this.#timers;
    const pending: Pending = {
      request,
      handlers,
      retransmit: undefined,
      interval: t1,
      timeout: setTimeout(() => this.#timedOut(key), 64 * t1),
    };
    this.#pending.set(key, pending);
    this.#transport.send(request);
    if (this.#transport.kind === 'udp') this.#armRetransmit(key, pending);
  }

  /** Hands a response to its transaction; false when none matches (a stray or late response). */
  receive(response: SipResponse): boolean {
    const method = (header(response, 'cseq') ?? '').split(/\s+/)[1]?.toUpperCase() ?? '';
    const key = keyOf(header(response, 'via') ?? '', method);
    const pending = this.#pending.get(key);
    if (!pending) return false;
    if (response.status < 200) {
      // A provisional response stops INVITE retransmissions (§17.1.1.2); non-INVITE ones go on at T2.
      if (pending.request.method === 'INVITE') {
        clearTimeout(pending.retransmit);
        clearTimeout(pending.timeout);
      } else {
        pending.interval = this.#timers.t2;
      }
    } else {
      this.#finish(key);
    }
    pending.handlers.onResponse(response, false);
    return true;
  }

  /** Ends every transaction without reporting (the call is over). */
  close(): void {
    for (const key of [...this.#pending.keys()]) this.#finish(key);
  }

  #armRetransmit(key: string, pending: Pending): void {
    pending.retransmit = setTimeout(() => {
      if (this.#pending.get(key) !== pending) return;
      this.#transport.send(pending.request);
      const cap = pending.request.method === 'INVITE' ? Number.POSITIVE_INFINITY : this.#timers.t2;
      pending.interval = Math.min(pending.interval * 2, cap);
      this.#armRetransmit(key, pending);
    }, pending.interval);
  }

  #timedOut(key: string): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    this.#finish(key);
    pending.handlers.onResponse(localResponse(pending.request, 408, 'Request Timeout'), true);
  }

  #finish(key: string): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    clearTimeout(pending.retransmit);
    clearTimeout(pending.timeout);
    this.#pending.delete(key);
  }
}

function keyOf(via: string, method: string): string {
  // ACK is matched to the INVITE's transaction by the server, but an ACK never gets a response.
  return `${headerParam(via, 'branch') ?? ''} ${method === 'ACK' ? 'INVITE' : method}`;
}

/** A response the UAC makes up itself (timeout, transport failure), as RFC 3261 §8.1.3.1 describes. */
export function localResponse(request: SipRequest, status: number, reason: string): SipResponse {
  return {
    kind: 'response',
    status,
    reason,
    headers: request.headers.filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name)),
    body: Buffer.alloc(0),
  };
}
