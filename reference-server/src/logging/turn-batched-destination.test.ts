import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnBatchedDestination } from './turn-batched-destination.js';

/** tsx as an absolute URL: `--import tsx` would resolve from the working directory, which may not have it. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A sink recording each write it is given. */
function recordingSink(): { writes: string[]; write(chunk: string): void } {
  const writes: string[] = [];
  return { writes, write: (chunk) => void writes.push(chunk) };
}

const destinations: TurnBatchedDestination[] = [];
function destination(...args: ConstructorParameters<typeof TurnBatchedDestination>): TurnBatchedDestination {
  const made = new TurnBatchedDestination(...args);
  destinations.push(made);
  return made;
}
afterEach(() => {
  for (const made of destinations.splice(0)) made.close();
});

describe('TurnBatchedDestination', () => {
  it('writes the lines of one event-loop turn in one write, when the turn ends', async () => {
    const sink = recordingSink();
    const lines = destination(sink);
    lines.write('one\n');
    lines.write('two\n');
    lines.write('three\n');
    expect(sink.writes).toEqual([]);
    await endOfTurn();
    expect(sink.writes).toEqual(['one\ntwo\nthree\n']);
    lines.write('four\n');
    await endOfTurn();
    expect(sink.writes).toEqual(['one\ntwo\nthree\n', 'four\n']);
  });

  it('writes at once when the pending text reaches maxPendingLength', async () => {
    const sink = recordingSink();
    const lines = destination(sink, { maxPendingLength: 8 });
    lines.write('abcd\n');
    expect(sink.writes).toEqual([]);
    lines.write('efgh\n');
    expect(sink.writes).toEqual(['abcd\nefgh\n']);
    await endOfTurn();
    expect(sink.writes).toEqual(['abcd\nefgh\n']);
    expect(() => destination(sink, { maxPendingLength: -1 })).toThrow(/maxPendingLength/);
  });

  it('flushes on demand and calls pino’s flush callback', async () => {
    const sink = recordingSink();
    const lines = destination(sink);
    lines.write('a\n');
    lines.flushSync();
    expect(sink.writes).toEqual(['a\n']);
    lines.write('b\n');
    await new Promise<void>((resolve, reject) => lines.flush((error) => (error ? reject(error) : resolve())));
    expect(sink.writes).toEqual(['a\n', 'b\n']);
    await endOfTurn();
    expect(sink.writes).toHaveLength(2);
  });

  it('writes lines as they come once closed, and stops listening for the process exit', () => {
    const sink = recordingSink();
    const exitListeners = process.listenerCount('exit');
    const lines = new TurnBatchedDestination(sink);
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    lines.write('pending\n');
    lines.close();
    expect(sink.writes).toEqual(['pending\n']);
    expect(process.listenerCount('exit')).toBe(exitListeners);
    lines.write('late\n');
    expect(sink.writes).toEqual(['pending\n', 'late\n']);
    lines.close();
  });

  it('reports a failed end-of-turn write, drops those lines, and keeps going', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const writes: string[] = [];
    const lines = destination(
      {
        write: (chunk: string) => {
          if (fail) throw new Error('EPIPE');
          writes.push(chunk);
        },
      },
      { onError: (error) => errors.push(error) },
    );
    lines.write('lost\n');
    await endOfTurn();
    expect(errors).toEqual([new Error('EPIPE')]);
    fail = false;
    lines.write('kept\n');
    await endOfTurn();
    expect(writes).toEqual(['kept\n']);
    // Called directly, the error goes to the caller.
    fail = true;
    lines.write('direct\n');
    expect(() => lines.flushSync()).toThrow('EPIPE');
  });

  it('carries pino’s lines unchanged', async () => {
    const sink = recordingSink();
    const logger = pino({ base: { pid: 1 }, timestamp: false }, destination(sink));
    logger.info({ reqId: 'req-1', status: 200 }, 'request completed');
    logger.warn('careful');
    await endOfTurn();
    expect(sink.writes).toHaveLength(1);
    expect(
      sink.writes[0]
        ?.trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { level: 30, pid: 1, reqId: 'req-1', status: 200, msg: 'request completed' },
      { level: 40, pid: 1, msg: 'careful' },
    ]);
  });

  it('writes what is pending when the process exits before the turn ends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-log-'));
    try {
      const script = join(dir, 'exit.mjs');
      const out = join(dir, 'out.log');
      const module = fileURLToPath(new URL('./turn-batched-destination.ts', import.meta.url));
      await writeFile(
        script,
        [
          "import { openSync, writeSync } from 'node:fs';",
          `const { TurnBatchedDestination } = await import(${JSON.stringify(module)});`,
          `const fd = openSync(${JSON.stringify(out)}, 'w');`,
          'const lines = new TurnBatchedDestination({ write: (chunk) => writeSync(fd, chunk) });',
          "lines.write('last words\\n');",
          'process.exit(3);',
        ].join('\n'),
      );
      const run = promisify(execFile)(process.execPath, ['--import', TSX_LOADER, script]);
      const failure = await run.then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect({ code: failure.code, stderr: failure.stderr }).toEqual({ code: 3, stderr: '' });
      expect(await readFile(out, 'utf8')).toBe('last words\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
