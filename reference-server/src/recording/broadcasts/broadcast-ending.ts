/**
 * What stopping a broadcast does to its record and files, whether it stopped while running or was
 * found cut off by a crash at start-up: every output gets its final status, the record becomes
 * `stopped` with the reason, and the broadcast's directory is kept for the HLS retention period (its
 * stop time noted for the clean-up) or, without HLS, removed at once.
 */
import { rm } from 'node:fs/promises';
import type { BroadcastRecord } from '../../store/types.js';
import { broadcastPaths, writeMeta } from './hls-files.js';
import type { BroadcastData, StopReason } from './types.js';

/** Marks a broadcast stopped at `now` (in place): outputs `ended`, or `error` when it failed. */
export function markStopped(
  record: BroadcastRecord,
  data: BroadcastData,
  reason: StopReason,
  now: number,
): void {
  const outputStatus = reason === 'failed' ? 'error' : 'ended';
  if (data.hls) data.hls.status = outputStatus;
  for (const target of data.rtmp) target.status = outputStatus;
  data.stopReason = reason;
  record.status = 'stopped';
  record.updatedAt = now;
}

/**
 * Keeps a stopped broadcast's HLS files until its retention ends (the clean-up reads the stop time from
 * its meta file), or removes the directory of a broadcast without HLS.
 */
export async function retainFiles(
  workDirectory: string,
  record: BroadcastRecord,
  hasHls: boolean,
): Promise<void> {
  if (hasHls) {
    await writeMeta(workDirectory, {
      id: record.id,
      applicationId: record.applicationId,
      stoppedAt: record.updatedAt,
    });
  } else {
    await rm(broadcastPaths(workDirectory, record.id).directory, { recursive: true, force: true });
  }
}
