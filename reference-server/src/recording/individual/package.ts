/**
 * Packages an individual archive as Vonage does: a ZIP holding one media file per stream recording and
 * a JSON manifest named `<archiveId>.json`:
 *
 * ```json
 * { "createdAt": 1700000000000, "id": "<archiveId>", "name": "…", "sessionId": "…",
 *   "files": [{ "streamId": "…", "connectionData": "…", "filename": "<streamId>.webm", "size": 5542108,
 *               "startTimeOffset": 0, "stopTimeOffset": 38656, "videoType": "camera" }] }
 * ```
 *
 * Offsets are milliseconds from the start of the recording. The same function packages a recording
 * after a crash from its journal alone (files never stopped end at their last write), so what was
 * recorded is never lost.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type IndividualFileEntry, type IndividualJournal, readIndividualJournal } from './journal.js';
import { ZipWriter } from './zip/zip-writer.js';

/** One file of the manifest. */
export interface ManifestFile {
  streamId: string;
  connectionData: string;
  filename: string;
  /** Bytes. */
  size: number;
  /** Milliseconds from the start of the recording. */
  startTimeOffset: number;
  stopTimeOffset: number;
  videoType: 'camera' | 'screen' | 'custom';
}

/** The manifest of an individual archive. */
export interface IndividualManifest {
  createdAt: number;
  id: string;
  name: string;
  sessionId: string;
  files: ManifestFile[];
}

/**
 * A file shorter than this holds no media (only the Matroska header ffmpeg writes at start, before
 * any packet arrived), and is left out.
 */
const MIN_MEDIA_BYTES = 1024;

async function manifestFile(
  directory: string,
  journal: IndividualJournal,
  file: IndividualFileEntry,
): Promise<ManifestFile | null> {
  const info = await stat(join(directory, file.filename)).catch(() => null);
  if (!info || info.size < MIN_MEDIA_BYTES) return null;
  const stoppedAt = file.stoppedAt ?? Math.max(file.startedAt, Math.round(info.mtimeMs));
  return {
    streamId: file.streamId,
    connectionData: file.connectionData,
    filename: file.filename,
    size: info.size,
    startTimeOffset: Math.max(0, file.startedAt - journal.startedAt),
    stopTimeOffset: Math.max(0, stoppedAt - journal.startedAt),
    videoType: file.videoType,
  };
}

/** The manifest for the files of `journal` that hold media. */
export async function buildManifest(
  directory: string,
  journal: IndividualJournal,
): Promise<IndividualManifest> {
  const files: ManifestFile[] = [];
  for (const file of journal.files) {
    const entry = await manifestFile(directory, journal, file);
    if (entry) files.push(entry);
  }
  const { archive } = journal;
  return {
    createdAt: archive.createdAt,
    id: archive.id,
    name: archive.name ?? '',
    sessionId: archive.sessionId,
    files,
  };
}

/**
 * Writes the ZIP of `journal`'s recorded files to `outputPath`. Resolves false (and writes nothing)
 * when no file holds media.
 */
export async function packageIndividual(
  directory: string,
  journal: IndividualJournal,
  outputPath: string,
): Promise<boolean> {
  const manifest = await buildManifest(directory, journal);
  if (manifest.files.length === 0) return false;
  const zip = await ZipWriter.create(outputPath);
  try {
    for (const file of manifest.files) await zip.addFile(file.filename, join(directory, file.filename));
    await zip.addBuffer(`${manifest.id}.json`, Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'));
    await zip.close();
    return true;
  } catch (error) {
    await zip.abort();
    throw error;
  }
}

/**
 * Packages the recording in `directory` from its journal alone (crash recovery). Resolves false when
 * there is no journal or nothing was recorded.
 */
export async function packageIndividualFromJournal(directory: string, outputPath: string): Promise<boolean> {
  const journal = await readIndividualJournal(directory);
  return journal ? packageIndividual(directory, journal, outputPath) : false;
}
