/**
 * The entry point of one SFU worker process: a werift engine served over the IPC channel to the pool.
 * Started by `worker-process.ts` with `fork()`; never imported.
 *
 * The worker exits when the parent disconnects (it must not outlive the pool, even after a crash of the
 * parent) and closes its engine first, so the sockets are released.
 */
import { WeriftEngine } from '../werift/engine.js';
import type { CallMessage, WorkerInit, WorkerMessage } from './protocol.js';
import { WorkerHost } from './worker-host.js';

const init = JSON.parse(process.argv[2] ?? '{}') as WorkerInit;
/** Ignores a failed send: the channel is closing (EPIPE), and the disconnect handler exits the worker. */
const ignoreSendError = (): void => undefined;
const send = (message: WorkerMessage): void => {
  // With a callback, a write on a closing channel reports its error there instead of as an unhandled
  // 'error' event that would crash the worker before it closes its engine.
  if (process.connected) process.send?.(message, undefined, undefined, ignoreSendError);
};
const engine = new WeriftEngine(init.engine);
const host = new WorkerHost(engine, send);

process.on('message', (message: CallMessage) => {
  if (message?.type === 'call') void host.handle(message);
});
process.on('disconnect', () => {
  engine.close();
  process.exit(0);
});
const timer = setInterval(() => send(host.stats()), init.statsIntervalMs);
timer.unref();
send({ type: 'ready', pid: process.pid });
