/**
 * Crash safety: a server killed with SIGKILL loses no record it reported as created, with either
 * durability setting. A child process writes records — one at a time, and sessions in concurrent bursts
 * that are group-committed — and reports each one after its store call resolves; we kill it mid-stream,
 * reopen the file and require every reported record to be there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore, type SqliteDurability } from './sqlite-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How many reported records to wait for before pulling the plug. */
const KILL_AFTER = 100;

/** What the child reports: a record set of a round, or one session of a burst. */
type Reported = { i: number; applicationId: string } | { sessionId: string };

it.each<SqliteDurability>(['normal', 'full'])(
  'keeps every reported record after kill -9 and a restart (durability %s)',
  { timeout: 30_000 },
  async (durability) => {
    const file = join(dir, `parley-${durability}.db`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'sqlite-crash.child.ts'), file, durability],
      {
        cwd: join(here, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );

    const reported: Reported[] = [];
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        reported.push(JSON.parse(line) as Reported);
        // Kill while the child is in the middle of its next writes, not between runs.
        if (reported.length === KILL_AFTER) child.kill('SIGKILL');
      }
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited, `child died on its own: ${stderr}`).toBe('SIGKILL');
    expect(reported.length).toBeGreaterThanOrEqual(KILL_AFTER);

    const store = openSqliteStore(file);
    try {
      for (const record of reported) {
        if ('sessionId' in record) {
          expect(await store.sessions.get(record.sessionId), record.sessionId).not.toBeNull();
          continue;
        }
        const { i, applicationId } = record;
        expect(await store.projects.get(applicationId), `project ${i}`).not.toBeNull();
        expect(await store.sessions.get(`session-${i}`), `session ${i}`).not.toBeNull();
        expect(await store.archives.get(applicationId, `archive-${i}`), `archive ${i}`).not.toBeNull();
      }
    } finally {
      await store.close();
    }
  },
);
