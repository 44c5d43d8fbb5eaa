import { describe, expect, it } from 'vitest';
import { resolveSfuEngineOptions } from '../options.js';
import { type WorkerExit, WorkerProcess } from './worker-process.js';

describe('WorkerProcess.stop', () => {
  it('lets the worker exit by itself when stopped twice, instead of killing it the second time', {
    timeout: 30_000,
  }, async () => {
    const options = resolveSfuEngineOptions({});
    const worker = await WorkerProcess.start({
      engine: { ...options, listenIps: [...options.listenIps], iceServers: [] },
      statsIntervalMs: 1000,
      execArgv: [],
    });
    const exit = new Promise<WorkerExit>((resolve) => worker.once('exit', resolve));
    const first = worker.stop();
    const second = worker.stop();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    // A clean exit (code 0 from the disconnect handler), not SIGKILL.
    expect(await exit).toEqual({ code: 0, signal: null, expected: true });
    await expect(worker.stop()).resolves.toBeUndefined();
  });
});
