/**
 * Batched UDP sends through the addon: consumers protect their packets straight into the addon's queue
 * and the queue is flushed once per event-loop turn (`setImmediate`, i.e. after every datagram the poll
 * phase delivered has been forwarded) with one `sendmmsg` per socket run — instead of one `dgram` send,
 * with its request object and completion callback, per packet. A full queue (64 packets) flushes at once.
 *
 * The addon sends on its own duplicate of each socket's descriptor, made when a socket is first used and
 * closed when werift closes the socket, so a queued packet can never go out on a descriptor number the
 * process reused for something else.
 */
import type { Socket } from 'node:dgram';
import type { NativeDatapath, NativeUdpSender } from './datapath.js';

/** Node's internal `UDPWrap` handle of a `dgram` socket (no public API has its descriptor). */
function internalHandleOf(socket: Socket): { fd?: unknown; recvStop?: unknown } | undefined {
  // Node keeps the handle under a symbol (`socket._handle` is the same object, but deprecated).
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    if (symbol.description !== 'state symbol') continue;
    const state = (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[symbol];
    return state?.handle;
  }
  return undefined;
}

/** The descriptor of a bound `dgram` socket, read from Node's internal handle. */
export function descriptorOf(socket: Socket): number | undefined {
  const fd = internalHandleOf(socket)?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** The `UDPWrap` handle of a `dgram` socket, to stop Node's own reading of it. */
export function udpHandleOf(socket: Socket): { recvStop(): number } | undefined {
  const handle = internalHandleOf(socket);
  return handle && typeof handle.recvStop === 'function' ? (handle as { recvStop(): number }) : undefined;
}

/** The addon's send queue for this process (see the file comment). */
export class NativeSendQueue {
  readonly #datapath: NativeDatapath;
  readonly #senders = new WeakMap<Socket, NativeUdpSender | null>();
  #flushScheduled = false;
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#datapath.flushRtp();
  };

  constructor(datapath: NativeDatapath) {
    this.#datapath = datapath;
  }

  /** The addon's sender for `socket`, or null when its descriptor cannot be had (then use `dgram`). */
  senderFor(socket: Socket): NativeUdpSender | null {
    let sender = this.#senders.get(socket);
    if (sender !== undefined) return sender;
    const fd = descriptorOf(socket);
    sender = fd === undefined ? null : this.#datapath.createUdpSender(fd);
    this.#senders.set(socket, sender);
    if (sender !== null) {
      const created = sender;
      socket.once('close', () => {
        this.#datapath.closeUdpSender(created);
        this.#senders.set(socket, null);
      });
    }
    return sender;
  }

  /** Call after queueing: schedules the turn's flush. */
  queued(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }
}

const queues = new WeakMap<NativeDatapath, NativeSendQueue>();

/** The one send queue of `datapath` in this process. */
export function sendQueueOf(datapath: NativeDatapath): NativeSendQueue {
  let queue = queues.get(datapath);
  if (queue === undefined) {
    queue = new NativeSendQueue(datapath);
    queues.set(datapath, queue);
  }
  return queue;
}
