/**
 * Child process of the crash test (`sqlite-crash.test.ts`): writes records to the SQLite store given as
 * the first argument (with the durability given as the second) as fast as it can, and prints one JSON
 * line per record once the store call has resolved, i.e. once the store claims the record is durable.
 * Each round also creates a burst of sessions concurrently, as simultaneous requests do, so that they
 * are group-committed; each is reported as soon as its own promise resolves. The parent kills the child
 * with SIGKILL mid-write.
 */
import type { SqliteDurability } from './sqlite-store.js';
import { openSqliteStore } from './sqlite-store.js';
import { anArchive, aProject, aSession } from './store.fixtures.js';

const [file, durability = 'normal'] = process.argv.slice(2);
if (!file) throw new Error('usage: sqlite-crash.child.ts <database file> [normal|full]');

/** Sessions created together in each round. */
const BURST = 8;

const store = openSqliteStore(file, { durability: durability as SqliteDurability });
const report = (record: object): void => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};
for (let i = 0; ; i++) {
  const applicationId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  await store.projects.create(aProject({ applicationId, apiKey: String(46_000_000 + i) }));
  await store.sessions.create(aSession({ sessionId: `session-${i}`, applicationId }));
  await store.archives.put(anArchive({ id: `archive-${i}`, applicationId, sessionId: `session-${i}` }));
  report({ i, applicationId });
  await Promise.all(
    Array.from({ length: BURST }, async (_, j) => {
      const sessionId = `burst-${i}-${j}`;
      await store.sessions.create(aSession({ sessionId, applicationId }));
      report({ sessionId });
    }),
  );
}
