/**
 * Recovery after a crash: every archive a previous run left recording or unfinished is finished from
 * what is on disk (`stopped` → `available`/`uploaded`), or `failed` when nothing usable was recorded.
 * Kept apart from the manager because it runs once, at start-up, and deals with another process's
 * leftovers (a composer of the crashed server may still be running) rather than with live archives.
 */
import type { Store } from '../../store/types.js';
import { killProcessesMentioning } from '../compositor/process-census.js';
import type { FinishingArchives } from './archive-finishing.js';
import type { ArchiveLifecycle } from './archive-lifecycle.js';
import type { ArchiveRecordWriter } from './archive-record-writer.js';
import { finishFromDisk } from './archive-recording.js';
import { archiveData, isRecording } from './archive-view.js';
import type { RunningArchives } from './running-archives.js';
import type { IndividualRecording } from './types.js';

/** What {@link recoverArchives} works with: the manager's store, state and lifecycle. */
export interface ArchiveRecoveryContext {
  store: Store;
  running: RunningArchives;
  finishing: FinishingArchives;
  records: ArchiveRecordWriter;
  lifecycle: ArchiveLifecycle;
  ffmpegPath?: string;
  individual: IndividualRecording;
}

/**
 * Finishes every archive a previous run left recording or unfinished (run once at start-up, before new
 * archives start). Archives this run is recording or finishing are left alone.
 */
export async function recoverArchives(context: ArchiveRecoveryContext): Promise<void> {
  const { store, lifecycle } = context;
  const interrupted = [
    ...(await store.archives.listByStatus('started')),
    ...(await store.archives.listByStatus('paused')),
    ...(await store.archives.listByStatus('stopped')),
  ].filter((r) => !context.running.has(r.id) && !context.finishing.has(r.id));
  for (const record of interrupted) {
    const project = await store.projects.get(record.applicationId);
    if (!project) continue;
    // A composer of the crashed server may still be writing into the archive's directory (ffmpeg does
    // not notice its parent died): stop it before its segments are joined.
    await killProcessesMentioning(lifecycle.directoryOf(record.id));
    let current = record;
    if (isRecording(record)) {
      current = await context.records.write(
        record,
        { status: 'stopped' },
        { reason: 'server stopped while recording' },
      );
    }
    await context.finishing.track(
      record.id,
      lifecycle.finish(project, current, () =>
        finishFromDisk(archiveData(record).outputMode, lifecycle.directoryOf(record.id), {
          ...(context.ffmpegPath ? { ffmpegPath: context.ffmpegPath } : {}),
          individual: context.individual,
        }),
      ),
    );
  }
}
