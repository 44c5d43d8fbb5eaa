/**
 * The start-up half of child-process supervision, for `startServer`: says once whether media children
 * die with the server (`setpriv --pdeathsig`), kills what a previous server in the same data directory
 * left running, and journals this server's children until it stops.
 *
 * `buildApp` alone (tests, embedding) journals nothing: only a server with a data directory does.
 */
import { join } from 'node:path';
import { CHILD_JOURNAL_FILE, ChildJournal, type ChildLogger, reapLeftoverChildren } from './child-journal.js';
import { dieWithParentSupport, trackChildren } from './child-processes.js';

/** Supervision in effect; {@link ChildSupervision.close} when the server has stopped. */
export interface ChildSupervision {
  /** The journal in use, or null where there is no `/proc` (not Linux). */
  readonly journal: ChildJournal | null;
  /**
   * Stops journaling. The file is removed when no child is left running, else kept up to date for the
   * next start. Safe to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Reaps the leftovers recorded in `<dataDir>/child-processes.json`, then records there every media
 * child this process starts. Never throws for a bad journal (it is logged and replaced).
 */
export async function superviseChildProcesses(
  dataDir: string,
  logger: ChildLogger,
): Promise<ChildSupervision> {
  const support = dieWithParentSupport();
  if (support.available) {
    logger.debug({ setpriv: support.setpriv }, 'Media child processes are killed if the server dies');
  } else if (process.platform === 'linux') {
    // Unexpected on Linux (util-linux is always installed on Debian): worth an operator's attention.
    logger.warn(
      { reason: support.reason },
      'Media child processes are not tied to the server process; a crash may leave them running until the next start',
    );
  } else {
    logger.debug({ reason: support.reason }, 'Media child processes are not tied to the server process');
  }
  const file = join(dataDir, CHILD_JOURNAL_FILE);
  const journal = ChildJournal.create(file, logger);
  if (journal === null) return { journal, close: async () => undefined };
  await reapLeftoverChildren(file, logger);
  const untrack = trackChildren(journal);
  // Replace the previous server's journal now, so its entries are never reaped twice.
  await journal.save();
  let closing: Promise<void> | null = null;
  return {
    journal,
    close: () => {
      closing ??= (async () => {
        untrack();
        if (journal.children.length === 0) await journal.remove();
        else await journal.flush();
      })();
      return closing;
    },
  };
}
