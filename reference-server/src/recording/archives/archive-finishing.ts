/**
 * The last step of an archive: once stopped, its recorder's output is produced (segments joined, or
 * streams packaged), handed to the file store, and the record becomes `available`/`uploaded` (with
 * `size`, `sha256sum` and `duration`) or `failed` with a reason. The work runs in the background;
 * {@link FinishingArchives} tracks it so a delete, a shutdown or a test can wait for it.
 */
import { rm } from 'node:fs/promises';
import type { ArchiveRecord, ProjectRecord } from '../../store/types.js';
import type { ArchiveRecordWriter } from './archive-record-writer.js';
import type { FinishedRecording } from './archive-recording.js';
import { archiveData } from './archive-view.js';
import type { ArchiveFileStore, ArchiveLogger } from './types.js';

/** The archives being finished, by ID. */
export class FinishingArchives {
  readonly #work = new Map<string, Promise<void>>();

  /** Whether an archive is being finished. */
  has(archiveId: string): boolean {
    return this.#work.has(archiveId);
  }

  /** Resolves once the archive's finishing work (if any) is done. */
  async done(archiveId: string): Promise<void> {
    await this.#work.get(archiveId);
  }

  /** Tracks an archive's finishing work until it settles. */
  track(archiveId: string, work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => {
      if (this.#work.get(archiveId) === tracked) this.#work.delete(archiveId);
    });
    this.#work.set(archiveId, tracked);
    return tracked;
  }

  /** Resolves once every archive tracked so far (and any tracked meanwhile) has been finished. */
  async settled(): Promise<void> {
    while (this.#work.size > 0) await Promise.all([...this.#work.values()]);
  }
}

/** What {@link finishArchive} works with. */
export interface FinishingContext {
  files: ArchiveFileStore;
  records: ArchiveRecordWriter;
  logger: ArchiveLogger;
  /** The archive's work directory, removed once its file is stored. */
  directory: string;
}

/** Produces and stores the file of a stopped archive; `available`/`uploaded`, or `failed`. */
export async function finishArchive(
  context: FinishingContext,
  project: ProjectRecord,
  stopped: ArchiveRecord,
  produce: () => Promise<FinishedRecording | null>,
): Promise<void> {
  const { files, records, logger, directory } = context;
  try {
    const finished = await produce();
    if (!finished) {
      await records.write(stopped, { status: 'failed' }, { reason: 'failure: nothing was recorded' });
    } else {
      const stored = await files.finalize(project, stopped.id, finished.file);
      const data = archiveData(stopped);
      await records.write(
        stopped,
        { status: stored.status },
        {
          size: stored.size,
          sha256sum: stored.sha256sum,
          duration: finished.durationMs > 0 ? Math.round(finished.durationMs / 1000) : data.duration,
          ...(stored.status === 'failed'
            ? { reason: `failure: ${stored.reason ?? 'the upload failed'}` }
            : {}),
          ...(stored.status !== 'failed' && stored.reason ? { reason: stored.reason } : {}),
        },
      );
    }
    await rm(directory, { recursive: true, force: true });
  } catch (error) {
    logger.error({ err: error, archiveId: stopped.id }, 'Could not finish the archive file');
    const latest = records.cached(stopped.id) ?? stopped;
    await records
      .write(latest, { status: 'failed' }, { reason: `failure: ${(error as Error).message}` })
      .catch((writeError: unknown) =>
        logger.error({ err: writeError, archiveId: stopped.id }, 'Could not record an archive change'),
      );
  } finally {
    records.forget(stopped.id);
  }
}
