/**
 * Child process of the crash test (`sqlite-crash.test.ts`): writes records to the SQLite store given as
 * the first argument as fast as it can and prints one JSON line per record once the store call has
 * resolved, i.e. once the store claims the record is durable. The parent kills it with SIGKILL mid-write.
 */
import { openSqliteStore } from './sqlite-store.js';
import { anArchive, aProject, aSession } from './store.fixtures.js';

const file = process.argv[2];
if (!file) throw new Error('usage: sqlite-crash.child.ts <database file>');

const store = openSqliteStore(file);
for (let i = 0; ; i++) {
  const applicationId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  await store.projects.create(aProject({ applicationId, apiKey: String(46_000_000 + i) }));
  await store.sessions.create(aSession({ sessionId: `session-${i}`, applicationId }));
  await store.archives.put(anArchive({ id: `archive-${i}`, applicationId, sessionId: `session-${i}` }));
  process.stdout.write(`${JSON.stringify({ i, applicationId })}\n`);
}
