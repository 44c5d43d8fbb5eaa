/**
 * The records of the archives a manager is working on, and the one way they change: each change is
 * applied in order with the archive's other changes (a per-archive chain), written to the store, and —
 * for a status change — sent as an `archiveStatus` webhook after the store has it. The latest record of
 * an archive that records or is being finished is kept in memory, so reads never see an older one.
 */
import type { ProjectEvents } from '../../projects/project-events.js';
import type { ArchiveRecord, ProjectRecord, Store } from '../../store/types.js';
import { type ArchiveData, archiveStatusEvent } from './archive-view.js';

/** Options of {@link ArchiveRecordWriter}. */
export interface ArchiveRecordWriterOptions {
  store: Store;
  /** Where `archiveStatus` webhooks go. */
  events: Pick<ProjectEvents, 'emit'>;
  now: () => number;
  /** The download URL the webhook shows for a record (null unless it is `available`). */
  downloadUrl: (record: ArchiveRecord) => string | null;
  /** The project of a record (for the webhook), or null when it no longer exists. */
  projectOf: (record: ArchiveRecord) => Promise<ProjectRecord | null>;
}

/** See the file comment. */
export class ArchiveRecordWriter {
  readonly #options: ArchiveRecordWriterOptions;
  /** Latest record of each archive the manager touches (recording or being finished), by ID. */
  readonly #records = new Map<string, ArchiveRecord>();
  /** Per-archive write chains, so status changes reach the store and webhooks in order. */
  readonly #writes = new Map<string, Promise<void>>();

  constructor(options: ArchiveRecordWriterOptions) {
    this.#options = options;
  }

  /** The latest record of an archive being worked on, if it is. */
  cached(archiveId: string): ArchiveRecord | undefined {
    return this.#records.get(archiveId);
  }

  /** Starts keeping `record` as the latest of its archive. */
  keep(record: ArchiveRecord): void {
    this.#records.set(record.id, record);
  }

  /** Stops keeping an archive's record (it is finished, failed or deleted). */
  forget(archiveId: string): void {
    this.#records.delete(archiveId);
  }

  /**
   * Applies a change to an archive's record, in order with the archive's other writes: stores it, then
   * (for a status change, unless told otherwise) sends the webhook.
   */
  write(
    base: ArchiveRecord,
    changes: Partial<Pick<ArchiveRecord, 'status'>>,
    dataChanges: Partial<ArchiveData>,
    options: { webhook?: boolean } = {},
  ): Promise<ArchiveRecord> {
    const previous = this.#writes.get(base.id) ?? Promise.resolve();
    const result = previous.then(async () => {
      const current = this.#records.get(base.id) ?? base;
      const next: ArchiveRecord = {
        ...current,
        ...changes,
        updatedAt: this.#options.now(),
        data: { ...current.data, ...dataChanges },
      };
      if (this.#records.has(base.id)) this.#records.set(base.id, next);
      await this.#options.store.archives.put(next);
      if ((options.webhook ?? true) && changes.status && changes.status !== current.status) {
        const project = await this.#options.projectOf(next);
        if (project) this.emit(project, next);
      }
      return next;
    });
    const settledWrite = result.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.set(base.id, settledWrite);
    void settledWrite.then(() => {
      if (this.#writes.get(base.id) === settledWrite) this.#writes.delete(base.id);
    });
    return result;
  }

  /** Sends the `archiveStatus` webhook for `record` as it is now. */
  emit(project: ProjectRecord, record: ArchiveRecord): void {
    const now = this.#options.now();
    this.#options.events.emit(
      project,
      'archiveStatus',
      archiveStatusEvent(record, project, this.#options.downloadUrl(record), now),
    );
  }
}
