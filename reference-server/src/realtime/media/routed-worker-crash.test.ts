/**
 * A routed session on the worker-pool engine whose SFU worker dies: only the sessions on that worker end,
 * their clients are told `networkDisconnected` and their sockets closed, and a client that rejoins gets a
 * working session on the replacement worker.
 */
import { describe, expect, it } from 'vitest';
import { WorkerPoolEngine } from '../../sfu/workers/pool-engine.js';
import { RoutedSessionHarness, until } from '../recording/testing/routed-session.js';

describe('RoutedMedia when its SFU worker dies', () => {
  it('disconnects only the clients of that worker with networkDisconnected; they can rejoin', {
    timeout: 60_000,
  }, async () => {
    const pool = new WorkerPoolEngine({ workers: 2 });
    await pool.ready();
    const harness = new RoutedSessionHarness(pool);
    try {
      // Two sessions land on two different workers (the least loaded one is chosen for the second).
      const alice = harness.connect('s-doomed', 'alice');
      const bob = harness.connect('s-doomed', 'bob');
      const closed: string[] = [];
      for (const client of [alice, bob]) {
        client.connection.endpoint.close = (code, reason) =>
          closed.push(`${client.connection.id} ${code} ${reason}`);
      }
      await harness.publish('s-doomed', alice, 'doomed-stream');
      const carol = harness.connect('s-safe', 'carol');
      await harness.publish('s-safe', carol, 'safe-stream');
      const doomedPid = pidOf(pool, 's-doomed');
      expect(doomedPid).not.toBe(pidOf(pool, 's-safe'));

      const slot = pool.workers.find((w) => w.pid === doomedPid)?.slot ?? -1;
      const replaced = new Promise<void>((resolve) => pool.once('workerready', () => resolve()));
      pool.killWorker(slot);
      await until(() => closed.length === 2, 'both clients of the dead worker to be disconnected');
      expect(closed.sort()).toEqual(['alice 1011 networkDisconnected', 'bob 1011 networkDisconnected']);
      const deleted = bob.inbox.filter((m) => m.method === 'deleted' && m.uri.endsWith('/connection/bob'));
      expect(deleted.map((m) => m.reason)).toEqual(['networkDisconnected']);
      const streamGone = bob.inbox.find(
        (m) => m.method === 'deleted' && m.uri.endsWith('/stream/doomed-stream'),
      );
      expect(streamGone?.reason).toBe('networkDisconnected');
      expect(harness.registry.get('s-doomed')?.connections.length ?? 0).toBe(0);

      // The other worker's session is untouched.
      const safe = harness.registry.get('s-safe');
      expect(safe?.connections.map((c) => c.id)).toEqual(['carol']);
      expect(safe?.stream('safe-stream')?.announced).toBe(true);

      // Alice rejoins and publishes again: a new router on a live worker carries it.
      await replaced;
      const again = harness.connect('s-doomed', 'alice-2');
      await harness.publish('s-doomed', again, 'second-stream');
      expect(harness.registry.get('s-doomed')?.stream('second-stream')?.announced).toBe(true);
    } finally {
      await harness.close();
      await pool.closeAndWait();
    }
  });
});

/** The PID of the worker process hosting a session's router. */
function pidOf(pool: WorkerPoolEngine, sessionId: string): number {
  const router = pool.getRouter(sessionId) as unknown as { worker?: { pid: number } } | undefined;
  const pid = router?.worker?.pid;
  if (typeof pid !== 'number') throw new Error(`no worker PID for ${sessionId}`);
  return pid;
}
