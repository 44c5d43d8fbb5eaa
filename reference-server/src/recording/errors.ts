/**
 * The recording error catalogue: every error the archive and broadcast managers, the download and HLS
 * file helpers throw. Each entry carries the API error code the spec's examples use for it
 * (`openapi/paths/recording/*.yaml`), so the REST handlers map a {@link RecordingError} to the HTTP
 * error body `{code, message}` without a second table: status = `Math.floor(code / 100)`.
 *
 * Codes are never reused. The HTTP catalogue (`src/http/errors.ts`) must hold an entry with the same
 * code for each of these once the recording routes are registered.
 */

/** One entry of the catalogue. */
export interface RecordingErrorDefinition {
  /** The API error code (HTTP status × 100 + a two-digit number), as in the spec's examples. */
  readonly code: number;
  /** The default message when the thrower gives no detail. */
  readonly message: string;
}

/** The catalogue. */
export const RECORDING_ERRORS = {
  /** A field of a start, layout or streams request breaks a rule; the message names the field. */
  INVALID_FIELD: { code: 40001, message: 'The request is invalid' },
  /** A layout was given for an archive that has none (an `individual` archive). */
  LAYOUT_NOT_APPLICABLE: {
    code: 40021,
    message: 'Only composed archives have a layout; this archive has outputMode individual',
  },
  /** `custom` (CSS) layouts need a browser renderer, which this deployment does not have. */
  CUSTOM_LAYOUT_UNSUPPORTED: {
    code: 40022,
    message: 'The custom layout type is not supported by this server',
  },
  // 40023 (`outputMode: individual` unsupported) is retired: individual archives are recorded now.
  /** A signed download link is wrong or has expired. */
  DOWNLOAD_LINK_INVALID: { code: 40321, message: 'The download link is invalid or has expired' },
  /** The session does not exist in the project. */
  SESSION_NOT_FOUND: { code: 40401, message: 'The session was not found' },
  /** The session exists but nobody is connected. */
  NO_CLIENTS: { code: 40421, message: 'The session exists but there are no clients connected to it' },
  /** No archive with that ID in the project. */
  ARCHIVE_NOT_FOUND: { code: 40422, message: 'The archive was not found' },
  /** The stream named by `addStream`/`removeStream` is not in the session (or not in the recording). */
  STREAM_NOT_FOUND: { code: 40423, message: 'The stream was not found in the session' },
  /** The archive has no file that can be downloaded (not `available`). */
  ARCHIVE_FILE_UNAVAILABLE: { code: 40424, message: 'The archive has no file available for download' },
  /** No broadcast with that ID in the project. */
  BROADCAST_NOT_FOUND: { code: 40431, message: 'No matching broadcast found' },
  /** The HLS file does not exist (yet, or any more). */
  HLS_FILE_NOT_FOUND: { code: 40432, message: 'The HLS file was not found' },
  /** Stopping a broadcast that has already stopped. */
  BROADCAST_ALREADY_STOPPED: { code: 40433, message: 'The broadcast has already stopped' },
  /** `PATCH …/streams` on an archive whose `streamMode` is `auto`. */
  ARCHIVE_STREAM_MODE_AUTO: { code: 40501, message: 'The archive was started with streamMode set to auto' },
  /** `PATCH …/streams` on a broadcast whose `streamMode` is `auto`. */
  BROADCAST_STREAM_MODE_AUTO: {
    code: 40531,
    message: 'The broadcast was started with streamMode set to auto',
  },
  /** Stopping, re-laying out or changing the streams of an archive that is not recording. */
  ARCHIVE_NOT_RECORDING: {
    code: 40901,
    message: 'You attempted to stop an archive that was not being recorded',
  },
  /** The session is relayed (peer to peer), so there is no media to record. */
  SESSION_RELAYED: {
    code: 40921,
    message: 'The session is relayed (it does not use the media router), so it cannot be recorded',
  },
  /** An archive already records the session and no distinct `multiArchiveTag` was given. */
  ALREADY_RECORDING: {
    code: 40922,
    message:
      'The session is already being recorded; set a distinct multiArchiveTag to record it more than once',
  },
  /** The `multiArchiveTag` is used by an archive that is recording. */
  DUPLICATE_ARCHIVE_TAG: {
    code: 40923,
    message: 'An archive with this multiArchiveTag is already recording',
  },
  /** End-to-end encrypted media cannot be decoded by the server. */
  SESSION_E2EE: { code: 40924, message: 'The session uses end-to-end encryption and cannot be archived' },
  /** Deleting an archive that is still recording. */
  ARCHIVE_RECORDING: { code: 40925, message: 'The archive is being recorded; stop it before deleting it' },
  /** Stopping an automatic archive of an `archiveMode: always` session. */
  ARCHIVE_AUTOMATIC: {
    code: 40926,
    message: 'Archives started automatically by archiveMode always cannot be stopped through the API',
  },
  /** A broadcast already runs for the session and no distinct `multiBroadcastTag` was given. */
  ALREADY_BROADCASTING: {
    code: 40931,
    message:
      'The session is already being broadcast; set a distinct multiBroadcastTag to broadcast it more than once',
  },
  /** The `multiBroadcastTag` is used by a running broadcast. */
  DUPLICATE_BROADCAST_TAG: {
    code: 40932,
    message: 'A broadcast with this multiBroadcastTag is already running',
  },
  /** Changing the layout or streams of a broadcast that has stopped. */
  BROADCAST_STOPPED: { code: 40933, message: 'The broadcast has stopped' },
  /** A `Range` header outside the file. */
  RANGE_NOT_SATISFIABLE: { code: 41621, message: 'The requested range is not satisfiable' },
  /** The recording pipeline failed (ffmpeg missing or crashed at start, storage error). */
  INTERNAL: { code: 50001, message: 'The recording pipeline failed' },
} as const satisfies Record<string, RecordingErrorDefinition>;

/** The name of a catalogue entry. */
export type RecordingErrorName = keyof typeof RECORDING_ERRORS;

/**
 * An error of the recording subsystem. `code` is the API error code and `status` the HTTP status the
 * REST handler answers with.
 *
 * @example
 * ```ts
 * throw new RecordingError('ARCHIVE_NOT_FOUND', `Archive ${archiveId} was not found`);
 * ```
 */
export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  /** The catalogue entry's name. */
  readonly errorName: RecordingErrorName;
  /** The API error code. */
  readonly code: number;

  constructor(name: RecordingErrorName, message?: string, options?: { cause?: unknown }) {
    const definition: RecordingErrorDefinition = RECORDING_ERRORS[name];
    super(message ?? definition.message, options);
    this.errorName = name;
    this.code = definition.code;
  }

  /** The HTTP status. */
  get status(): number {
    return Math.floor(this.code / 100);
  }
}
