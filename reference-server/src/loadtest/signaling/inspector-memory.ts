/**
 * A process's memory after a full garbage collection, read through its inspector (`node --inspect`).
 *
 * RSS growth overstates what each connection of a server holds: V8 grows its young generation under a
 * burst of allocation (a join storm) and keeps garbage until something triggers a collection, and an idle
 * server triggers none (SIGNALING-PROFILE.md). The inspector can collect garbage on demand
 * (`HeapProfiler.collectGarbage`) and then report `process.memoryUsage()`, without any code in the server
 * being there for benchmarks. Loopback only: the inspector listens on 127.0.0.1.
 */
import WebSocket from 'ws';

/** Matches the line `node --inspect` prints to stderr. */
export const INSPECTOR_LISTENING = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/;

/** What {@link memoryAfterGc} reads. */
export interface MemoryAfterGc {
  rssBytes: number;
  /** JS heap in use after the collection. */
  heapUsedBytes: number;
  /** Memory of C++ objects bound to JS objects (buffers included). */
  externalBytes: number;
}

/** Collects garbage in the inspected process, then reads its memory usage. */
export async function memoryAfterGc(inspectorUrl: string, timeoutMs = 30_000): Promise<MemoryAfterGc> {
  const socket = new WebSocket(inspectorUrl);
  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    let nextId = 1;
    const call = (method: string, params: Record<string, unknown> = {}): Promise<unknown> => {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const onMessage = (data: WebSocket.RawData): void => {
          const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: unknown };
          if (message.id !== id) return;
          socket.off('message', onMessage);
          if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
          else resolve(message.result);
        };
        socket.on('message', onMessage);
        socket.once('close', () => reject(new Error(`the inspector closed during ${method}`)));
        socket.send(JSON.stringify({ id, method, params }));
      });
    };
    // Twice: objects with finalizers or weak callbacks are freed by the second collection.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const result = (await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result?: { value?: string } };
    const usage = JSON.parse(result.result?.value ?? 'null') as NodeJS.MemoryUsage | null;
    if (usage === null) throw new Error('the inspected process did not report its memory usage');
    return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}
