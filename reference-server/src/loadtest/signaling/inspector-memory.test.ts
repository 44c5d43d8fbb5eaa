import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { INSPECTOR_LISTENING, memoryAfterGc } from './inspector-memory.js';

it('reads the memory of an inspected process after collecting its garbage', async () => {
  // A child that allocates 64 MB of garbage, keeps 16 MB, and waits.
  const script = `
    let garbage = []; for (let i = 0; i < 64; i++) garbage.push(new Array(131072).fill(i));
    garbage = null;
    globalThis.kept = Buffer.alloc(16 * 1024 * 1024, 1);
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        const match = INSPECTOR_LISTENING.exec(line);
        if (match) resolve(match[1] as string);
      });
      child.once('exit', () => reject(new Error('the child exited')));
    });
    const memory = await memoryAfterGc(url);
    // The kept buffer is external memory; the 64 MB of arrays were collected.
    expect(memory.externalBytes).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(memory.heapUsedBytes).toBeLessThan(32 * 1024 * 1024);
    expect(memory.rssBytes).toBeGreaterThan(memory.heapUsedBytes);
  } finally {
    child.kill('SIGKILL');
  }
}, 30_000);
