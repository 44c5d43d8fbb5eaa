import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveSfuEngineOptions } from '../options.js';
import { WORKER_SEMI_SPACE_MIB, type WorkerExit, WorkerProcess } from './worker-process.js';

const MIB = 1024 * 1024;

function startWorker(execArgv: string[] = []): Promise<WorkerProcess> {
  const options = resolveSfuEngineOptions({});
  return WorkerProcess.start({
    engine: { ...options, listenIps: [...options.listenIps], iceServers: [] },
    statsIntervalMs: 1000,
    execArgv,
  });
}

describe('WorkerProcess memory', () => {
  it('reports its memory by owner and caps the young generation', { timeout: 30_000 }, async () => {
    const worker = await startWorker();
    try {
      const { rss, memory } = await worker.sample();
      expect(rss).toBeGreaterThan(memory.heapUsed);
      expect(memory.heapTotal).toBeGreaterThanOrEqual(memory.heapUsed);
      expect(memory.external).toBeGreaterThanOrEqual(memory.arrayBuffers);
      // V8's new space holds two semi-spaces; without the cap it starts at 16 MiB and grows to 128 under
      // load, which an idle worker cannot show: check the flag it was started with instead.
      expect(memory.youngGeneration).toBeGreaterThan(0);
      expect(memory.youngGeneration).toBeLessThanOrEqual(2 * WORKER_SEMI_SPACE_MIB * MIB);
      if (process.platform === 'linux') {
        const argv = readFileSync(`/proc/${worker.pid}/cmdline`, 'utf8').split('\0');
        expect(argv).toContain(`--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`);
      }
    } finally {
      await worker.stop();
    }
  });

  it('lets workerExecArgv override the default young generation size', { timeout: 30_000 }, async () => {
    const worker = await startWorker(['--max-semi-space-size=1']);
    try {
      const { memory } = await worker.sample();
      expect(memory.youngGeneration).toBeLessThanOrEqual(2 * MIB);
    } finally {
      await worker.stop();
    }
  });
});

describe('WorkerProcess.stop', () => {
  it('lets the worker exit by itself when stopped twice, instead of killing it the second time', {
    timeout: 30_000,
  }, async () => {
    const worker = await startWorker();
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
