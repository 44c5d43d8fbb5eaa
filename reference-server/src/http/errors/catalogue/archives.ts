import { define, type ErrorDefinition } from '../define.js';

/** Errors of archives: start, stop, layout, streams, delete, and the signed download links to their files. */
export const ARCHIVE_ERRORS = {
  // Archive downloads (signed links to archive files).
  DOWNLOAD_LINK_INVALID: define(
    40321,
    'The download link is invalid or has expired',
    'The `signature` of an archive download link does not match its project, archive and `expires`, or `expires` is in the past. Links work for 10 minutes after they are issued.',
    'Get or list the archive again (`GET …/archive/{archiveId}`) and use the fresh `url` it returns.',
  ),
  ARCHIVE_NOT_FOUND: define(
    40422,
    'The archive was not found',
    'No archive with this ID exists in the project (it never did, or it was deleted).',
    'List the archives with `GET …/archive` and use an ID from the list.',
  ),
  ARCHIVE_FILE_UNAVAILABLE: define(
    40424,
    'The archive has no file available for download',
    "The archive exists but this server holds no file for it: it is still recording or being processed, it failed, it was uploaded to the project's own storage target, or it was deleted.",
    "Wait until the archive's status is `available` (its `url` is set only then); uploaded archives are in your S3 bucket or Azure container.",
  ),
  RANGE_NOT_SATISFIABLE: define(
    41621,
    'The requested range is not satisfiable',
    "The `Range` header asks for bytes outside the file (the response's `Content-Range: bytes */<size>` gives the size).",
    'Ask for a range that starts before the end of the file, or send no `Range` for the whole file.',
  ),
  // Archives (start, stop, layout, streams, delete).
  LAYOUT_NOT_APPLICABLE: define(
    40021,
    'Only composed archives have a layout; this archive has outputMode individual',
    'A layout was set for an archive whose `outputMode` is `individual`: such an archive records one file per stream and has no layout.',
    'Change layouts of composed archives only; start the archive with `outputMode: composed` if it needs one.',
  ),
  CUSTOM_LAYOUT_UNSUPPORTED: define(
    40022,
    'The custom layout type is not supported by this server',
    'A `custom` layout (a CSS stylesheet) needs a browser-based renderer, which this deployment does not have.',
    'Use a predefined layout (`bestFit`, `pip`, `verticalPresentation`, `horizontalPresentation`, with `screenshareType`) and the `full`/`focus` layout classes.',
  ),
  INDIVIDUAL_UNSUPPORTED: {
    ...define(
      40023,
      'Individual-stream archives (outputMode individual) are not supported by this server',
      'Retired: individual-stream archives (one file per stream, packaged as a ZIP) are recorded now. Servers before that refused `outputMode: individual` with this code.',
      'Nothing to do: `outputMode: individual` is supported.',
    ),
    retired: true,
  },
  NO_CLIENTS: define(
    40421,
    'The session exists but there are no clients connected to it',
    'An archive can start only while at least one client is connected to the session (on this server).',
    'Start the archive once a client has connected, e.g. from your `connectionCreated` webhook.',
  ),
  ARCHIVE_STREAM_NOT_FOUND: define(
    40423,
    'The stream was not found in the session',
    "The stream named by `addStream` or `removeStream` is not published in the archive's session (and, for `removeStream`, not part of the archive).",
    "List the session's streams with `GET …/session/{sessionId}/stream` and use a published one.",
  ),
  ARCHIVE_STREAM_MODE_AUTO: define(
    40501,
    'The archive was started with streamMode set to auto',
    'Streams can be added to and removed from `streamMode: manual` archives only; an `auto` archive records every stream.',
    'Start the archive with `streamMode: manual` to choose its streams.',
  ),
  ARCHIVE_NOT_RECORDING: define(
    40901,
    'You attempted to stop an archive that was not being recorded',
    'The archive is not recording (it stopped, failed or was deleted), so it cannot be stopped, re-laid out or change its streams.',
    'Get the archive to see its status; start a new archive to record again.',
  ),
  SESSION_RELAYED: define(
    40921,
    'The session is relayed (it does not use the media router), so it cannot be archived',
    'Archives record the media that passes through the media router; in a relayed session it goes from client to client.',
    'Create the session with `mediaMode: routed` (`p2p.preference: disabled`).',
  ),
  ALREADY_RECORDING: define(
    40922,
    'The session is already being recorded; set a distinct multiArchiveTag to record it more than once',
    'An archive without a `multiArchiveTag` already records the session, or the session records itself (`archiveMode: always`).',
    'Stop the running archive first, or give each simultaneous archive its own `multiArchiveTag`.',
  ),
  DUPLICATE_ARCHIVE_TAG: define(
    40923,
    'An archive with this multiArchiveTag is already recording this session',
    'The `multiArchiveTag` is used by an archive of the session that is still recording.',
    'Use a tag that no recording archive of the session uses.',
  ),
  SESSION_E2EE: define(
    40924,
    'The session uses end-to-end encryption and cannot be archived',
    'The media of an end-to-end encrypted session cannot be decoded by the server, so it cannot be recorded (Vonage does not archive such sessions either).',
    'Record sessions created without `e2ee`.',
  ),
  ARCHIVE_RECORDING: define(
    40925,
    'The archive is being recorded; stop it before deleting it',
    'An archive that is `started` or `paused` cannot be deleted.',
    'Stop the archive (`POST …/archive/{archiveId}/stop`), then delete it.',
  ),
  ARCHIVE_AUTOMATIC: define(
    40926,
    'Archives started automatically by archiveMode always cannot be stopped through the API',
    'The archive was started by a session with `archiveMode: always`; it stops when the session ends and continues in a new archive after 4 hours.',
    'Let it stop with the session, or create sessions with `archiveMode: manual` to control recording.',
  ),
} as const satisfies Record<string, ErrorDefinition>;
