/**
 * The error catalogue of the reference server: every error the HTTP API answers with, each under a stable
 * numeric code. The first three digits of a code are the HTTP status and the last two identify the error.
 *
 * Rules (as in Fastify's `lib/errors.js` / `lib/warnings.js`):
 * - a code is never reused, not even after its error is retired — retire an entry by marking it
 *   `retired: true` instead of deleting it;
 * - new errors take the next free number under their status;
 * - the table in the package README is generated from this file (`pnpm --filter @parley/reference-server
 *   readme`, or `parley errors` to print it) and a test fails when the README is out of date.
 *
 * Every error response has the body `{ "code": <code>, "message": "<text>" }`; `message` names the
 * offending field and the rule it broke.
 */

/** One entry of the catalogue. */
export interface ErrorDefinition {
  /** The stable code: HTTP status × 100 + a two-digit number. */
  readonly code: number;
  /** The HTTP status the error is sent with. */
  readonly status: number;
  /** The message used when the thrower does not give a more specific one. */
  readonly message: string;
  /** What the error means, for the documentation table. */
  readonly description: string;
  /** How a client fixes it, for the documentation table. */
  readonly howToSolve: string;
  /** Retired entries stay in the catalogue so their codes are never reused. */
  readonly retired?: boolean;
}

const define = (code: number, message: string, description: string, howToSolve: string): ErrorDefinition => ({
  code,
  status: Math.floor(code / 100),
  message,
  description,
  howToSolve,
});

/** The catalogue, keyed by a name for code. */
export const ERRORS = {
  INVALID_FIELD: define(
    40001,
    'The request is invalid',
    'A path parameter, query parameter, header or body field is missing, has the wrong type or breaks a rule of the API specification. The message names the field (`body.archiveMode`, `query.count`, `path.sessionId`) and the rule.',
    'Fix the named field so it follows the rule in the message and the API reference.',
  ),
  MALFORMED_BODY: define(
    40002,
    'The request body could not be parsed',
    'The body is not valid JSON (or not valid form encoding) for its `Content-Type`.',
    'Send a well-formed body that matches the `Content-Type` header.',
  ),
  TOKEN_EXPIRED: define(
    40101,
    'The JWT has expired',
    'The REST JWT `exp` claim is in the past (beyond the 30 seconds of allowed clock skew).',
    'Mint a fresh JWT for every request (the official SDKs do this) and keep the client clock in sync.',
  ),
  MISSING_CREDENTIALS: define(
    40102,
    'No credentials were sent',
    'The call needs `Authorization: Bearer <JWT>` or `X-OPENTOK-AUTH: <JWT>` and neither header is present.',
    'Send one of the two headers; see "Authentication of REST calls" in the API reference.',
  ),
  MALFORMED_TOKEN: define(
    40103,
    'The JWT is malformed',
    'The header value is not a compact JWS (three base64url parts with a JSON header and JSON claims).',
    'Send the JWT exactly as the SDK or JWT library produced it, without quotes or extra spaces.',
  ),
  UNSUPPORTED_ALGORITHM: define(
    40104,
    'The JWT algorithm is not accepted',
    'Bearer JWTs must be signed RS256 and `X-OPENTOK-AUTH` JWTs HS256. `alg: none` and any other algorithm (including an HS256 token signed with the public key) are refused.',
    'Sign Bearer JWTs RS256 with the application private key, or `X-OPENTOK-AUTH` JWTs HS256 with the API secret.',
  ),
  BAD_SIGNATURE: define(
    40105,
    'The JWT signature is invalid',
    'The signature does not verify with the key registered for the project named in the token.',
    'Sign with the private key (Bearer) or API secret (`X-OPENTOK-AUTH`) of the project the token names; after a secret rotation use the new secret.',
  ),
  TOKEN_NOT_YET_VALID: define(
    40106,
    'The JWT is not valid yet',
    'The `nbf` or `iat` claim is in the future (beyond the 30 seconds of allowed clock skew).',
    'Keep the client clock in sync and do not set `nbf` in the future.',
  ),
  MISSING_CLAIM: define(
    40107,
    'The JWT lacks a required claim',
    'A required claim is missing or has the wrong type: `application_id`, `iat`, `exp` and `jti` for Bearer JWTs; `iss`, `iat` and `exp` for `X-OPENTOK-AUTH` JWTs.',
    'Add the named claim; the official SDKs send all of them.',
  ),
  UNKNOWN_ISSUER: define(
    40108,
    'The JWT names an unknown project or account',
    'No project has the `application_id` (Bearer) or the API key in `iss` (`X-OPENTOK-AUTH`), and for account calls `iss` is not the account key.',
    'Use the credentials printed by the server or stored in `credentials.json`, or create the project first.',
  ),
  TOKEN_REPLAYED: define(
    40109,
    'The JWT has already been used',
    'The token `jti` was already accepted once within the token lifetime; each JWT is single-use.',
    'Mint a new JWT, with a new random `jti`, for every request.',
  ),
  AMBIGUOUS_CREDENTIALS: define(
    40110,
    'Both Authorization and X-OPENTOK-AUTH were sent',
    'A call must carry exactly one kind of credential.',
    'Send only one of the two headers.',
  ),
  FOREIGN_PROJECT: define(
    40301,
    'The credentials are valid but belong to another project',
    'The token is valid for one project and the path names another. A project never sees another project’s resources.',
    'Call with the credentials of the project in the path, or put your own project ID in the path.',
  ),
  PROJECT_SUSPENDED: define(
    40302,
    'The project is suspended',
    'The project status is `SUSPENDED`; suspended projects reject every call.',
    'Reactivate it with `PUT /v2/project/{projectId}` `{"status":"ACTIVE"}` using account credentials.',
  ),
  ACCOUNT_CREDENTIALS_REQUIRED: define(
    40360,
    'This call needs account credentials',
    'Project management calls accept only an `X-OPENTOK-AUTH` JWT with `ist: "account"` signed with the account secret.',
    'Sign the JWT with the account key and secret (`iss` = account key, `ist` = `account`).',
  ),
  PROJECT_CREDENTIALS_REQUIRED: define(
    40361,
    'This call needs project credentials',
    'The call acts inside a project and accepts only project credentials, not an account-level token.',
    'Use the project’s application ID and private key, or its API key and secret.',
  ),
  SESSION_NOT_FOUND: define(
    40401,
    'The session was not found',
    'No session of this project has the session ID in the path or body. Sessions of other projects are reported as not found too.',
    'Create the session with `POST /session/create` using the same project’s credentials.',
  ),
  ROUTE_NOT_FOUND: define(
    40402,
    'No such endpoint',
    'No endpoint of the API matches the path.',
    'Check the path against the API reference (paths start with `/v2/project/{projectId}` or `/session/create`).',
  ),
  PROJECT_NOT_FOUND: define(
    40464,
    'The project was not found',
    'No project has the application ID or API key in the path.',
    'List the projects with `GET /v2/project` or `parley projects list`.',
  ),
  CALLBACK_NOT_FOUND: define(
    40463,
    'The callback was not found',
    'The project has no callback registration with that ID.',
    'List the registrations with `GET /v2/project/{projectId}/callback`.',
  ),
  METHOD_NOT_ALLOWED: define(
    40502,
    'The method is not allowed on this endpoint',
    'The path exists but does not support the HTTP method. The `Allow` header lists the methods it supports.',
    'Use one of the methods in the `Allow` header.',
  ),
  IDEMPOTENCY_KEY_IN_USE: define(
    40950,
    'A request with this Idempotency-Key is still being processed',
    'Another request with the same `Idempotency-Key` for the same project has not finished yet.',
    'Wait for the first request to finish, then retry with the same key to get its stored response.',
  ),
  IDEMPOTENCY_KEY_REUSED: define(
    40951,
    'The Idempotency-Key was already used for a different request',
    'Within 24 hours an `Idempotency-Key` may only be repeated with the same method, path and body.',
    'Use a new key for a new request.',
  ),
  BODY_TOO_LARGE: define(
    41301,
    'The request body is too large',
    'The body is larger than the server accepts (1 MiB by default, `--body-limit`).',
    'Send a smaller body.',
  ),
  FIELD_TOO_LARGE: define(
    41302,
    'A request field is too large',
    'A field exceeds the maximum size the API specification allows, on an endpoint that reports oversized fields with 413.',
    'Shorten the named field.',
  ),
  UNSUPPORTED_MEDIA_TYPE: define(
    41501,
    'The Content-Type is not supported by this endpoint',
    'The endpoint accepts other body types (e.g. `POST /session/create` takes `application/x-www-form-urlencoded`).',
    'Send the body with one of the content types named in the message.',
  ),
  RATE_LIMITED: define(
    42901,
    'Too many requests',
    'The project exceeded its request rate (a token bucket per project: `--rate-limit` requests per second with bursts up to `--rate-burst`).',
    'Wait the number of seconds in the `Retry-After` header, then retry.',
  ),
  INTERNAL: define(
    50001,
    'An internal error occurred',
    'The server failed while handling a valid request. The log line with the same request ID has the details.',
    'Retry later; if it persists, report it with the `X-Request-Id` of the response.',
  ),
  NOT_IMPLEMENTED: define(
    50101,
    'This operation is not implemented by this server yet',
    'The operation is part of the API but this server version does not implement it yet.',
    'Use a server version that implements it; the message names the operation.',
  ),
  NOT_READY: define(
    50301,
    'The server is not ready',
    'The server is starting up or shutting down and does not accept requests at the moment.',
    'Retry after a short delay, or against another instance.',
  ),
  // Project settings.
  ARCHIVE_STORAGE_TEST_FAILED: define(
    40065,
    'Could not write a test object to the archive storage target',
    'Before saving an archive upload target, the server writes a small test object (`<apiKey>/parley-storage-test.txt`) to it; the target refused it or could not be reached. The message names the bucket or container and the reason (the provider’s error code such as `AccessDenied` or `AuthenticationFailed`, an HTTP status, or the network error).',
    'Check the credentials, that the bucket or container exists, that the credentials may write objects to it, and for S3-compatible providers the `endpoint`.',
  ),
  // Live-session operations (signals, connections, streams, moderation).
  INVALID_SIGNAL: define(
    40012,
    'One of the signal properties — data, type, sessionId or connectionId — is invalid.',
    'A signal `type` or `data` is missing or not a string, or `type` has a character other than `A-Z a-z 0-9 - _ . ~`. The message names the field.',
    'Send `type` and `data` as strings (both may be empty) and keep `type` to the allowed characters.',
  ),
  LAYOUT_CLASSES_TOO_LONG: define(
    40013,
    'A layout class list is too long',
    'The layout classes of one stream, joined with single spaces, are longer than 1000 characters.',
    'Use fewer or shorter layout classes for the named stream.',
  ),
  DUPLICATE_STREAM: define(
    40014,
    'A stream is listed twice',
    'The same stream ID appears more than once in a layout class update.',
    'List each stream once.',
  ),
  CONNECTION_NOT_CONNECTED: define(
    40411,
    'The client specified by the connectionId property is not connected to the session.',
    'No client with this connection ID is connected to the session (it never joined, or it left).',
    'List the connections with `GET …/session/{sessionId}/connection` and use a connected one.',
  ),
  STREAM_NOT_FOUND: define(
    40412,
    'The stream was not found in the session',
    'No stream with this ID is published in the session (it never was, or it ended).',
    'List the streams with `GET …/session/{sessionId}/stream`.',
  ),
  SIGNAL_TOO_LARGE: define(
    41311,
    'The type string exceeds the maximum length (128 bytes), or the data string exceeds the maximum size (8 kB).',
    'A signal `type` is longer than 128 characters or its `data` longer than 8192 characters.',
    'Shorten the named field.',
  ),
  UPGRADE_REQUIRED: define(
    42670,
    'This endpoint only accepts WebSocket upgrades (Upgrade: websocket)',
    'The signaling endpoint `/rumorwebsocketsv2` was called as plain HTTP, without a WebSocket upgrade.',
    'Open it as a WebSocket (the `messaging_url` of session info), as OpenTok.js does.',
  ),
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
  // Broadcasts (live streaming to HLS and RTMP).
  BROADCAST_NOT_FOUND: define(
    40431,
    'No matching broadcast found',
    'No broadcast with this ID exists in the project; for an HLS file, the broadcast has no HLS output on this server or its files have expired (they are kept for an hour after it stops).',
    'List the broadcasts with `GET …/broadcast` and use an ID from the list.',
  ),
  HLS_FILE_NOT_FOUND: define(
    40432,
    'The HLS file was not found',
    'The broadcast has an HLS output but not this file: the playlist is written a few seconds after the start, and segments leave a sliding-window playlist (and the disk) after about 12 seconds.',
    "Wait until the broadcast's `hlsStatus` is `live`, and fetch only the files the current playlist lists.",
  ),
  BROADCAST_ALREADY_STOPPED: define(
    40433,
    'The broadcast has already stopped',
    'The broadcast was stopped before (through the API, at `maxDuration`, after the last client left, or by a failure).',
    'Get the broadcast to see its status; start a new broadcast to stream again.',
  ),
  BROADCAST_STREAM_MODE_AUTO: define(
    40531,
    'The broadcast was started with streamMode set to auto',
    'Streams can be added to and removed from `streamMode: manual` broadcasts only; an `auto` broadcast includes every stream.',
    'Start the broadcast with `streamMode: manual` to choose its streams.',
  ),
  ALREADY_BROADCASTING: define(
    40931,
    'The session is already being broadcast; set a distinct multiBroadcastTag to broadcast it more than once',
    'A broadcast of the session is running and the new one has no `multiBroadcastTag`.',
    'Stop the running broadcast first, or give the new broadcast a `multiBroadcastTag` no running broadcast of the session uses.',
  ),
  DUPLICATE_BROADCAST_TAG: define(
    40932,
    'A broadcast with this multiBroadcastTag is already running',
    'The `multiBroadcastTag` is used by a running broadcast of the same session.',
    'Use a tag that no running broadcast of the session uses.',
  ),
  BROADCAST_STOPPED: define(
    40933,
    'The broadcast has stopped',
    'The layout or the streams of a broadcast can change only while it runs.',
    'Start a new broadcast with the layout and streams you want.',
  ),
  // Services that join a session as a client (Audio Connector; shared with captions and renders).
  CLIENT_TOKEN_INVALID: define(
    40060,
    'body.token is not a valid client token for body.sessionId',
    'The client token the service joins the session with does not verify (signature, expiry, format), is for another session, or belongs to another project.',
    'Generate a fresh client token for `sessionId` with the same project credentials and send it as `token`.',
  ),
  CLIENT_TOKEN_CANNOT_PUBLISH: define(
    40062,
    'body.token must have a role that may publish (publisher, publisheronly or moderator)',
    'The service must publish into the session (a two-way Audio Connector, an Experience Composer render), but the token has the `subscriber` role.',
    'Generate the token with the `publisher`, `publisheronly` or `moderator` role.',
  ),
  WEBSOCKET_HEADERS_TOO_LARGE: define(
    40063,
    'body.websocket.headers must be at most 512 bytes in total',
    'The names and values of `websocket.headers`, counted in UTF-8 bytes, add up to more than 512.',
    'Send fewer or shorter headers; pass larger data to your WebSocket server another way (for example in the URI).',
  ),
  WEBSOCKET_OPEN_FAILED: define(
    40064,
    'The WebSocket did not open within 6 seconds',
    'The Audio Connector could not open `websocket.uri` within 6 seconds: the server refused the connection, answered the upgrade with an HTTP error, or did not answer. The message names the URI and the reason.',
    'Make sure the WebSocket server is reachable from the Parley server, accepts the upgrade (with the headers you send) and answers quickly.',
  ),
  CONNECT_SESSION_RELAYED: define(
    40961,
    'Only routed sessions are allowed to initiate Connect Calls',
    'An Audio Connector needs the media router to receive and mix the audio; in a relayed session media goes from client to client.',
    'Create the session with `mediaMode: routed` (`p2p.preference: disabled`).',
  ),
  SESSION_E2EE_UNSUPPORTED: define(
    40964,
    'This feature is not available in end-to-end encrypted sessions',
    'The server cannot decode or produce the media of an end-to-end encrypted session, so services that process audio do not work in it.',
    'Use a session created without `e2ee`.',
  ),
  // Experience Composer renders.
  RENDER_NOT_FOUND: define(
    40460,
    'The render was not found',
    'No render with this ID exists in the project.',
    'List the renders with `GET …/render` and use an ID from the list.',
  ),
  RENDER_ALREADY_STOPPED: define(
    40461,
    'The render has already stopped',
    'The render ended before (stopped through the API, at `maxDuration`, when its connection was disconnected, or it failed).',
    'Get the render to see its status and reason; start a new render to publish the page again.',
  ),
  RENDER_SESSION_RELAYED: define(
    40963,
    'Experience Composer is only available in routed sessions',
    'A render publishes through the media router; in a relayed session media goes from client to client.',
    'Create the session with `mediaMode: routed` (`p2p.preference: disabled`).',
  ),
  RENDERER_UNAVAILABLE: define(
    50002,
    'This server has no browser for Experience Composer renders',
    'Renders run in a headless Chromium, and the server has none configured (or it could not be started); the message says which and why.',
    'Install Chromium (Debian: `apt-get install chromium`) or start the server with `--chromium /path/to/chromium` (`PARLEY_CHROMIUM`).',
  ),
  // Live captions.
  CLIENT_TOKEN_NOT_MODERATOR: define(
    40061,
    'body.token must have the moderator role',
    'Starting live captions needs a client token for the session with the `moderator` role; the token has another role.',
    'Generate the token with `role: moderator`.',
  ),
  CAPTIONS_NOT_FOUND: define(
    40462,
    'The captions were not found',
    'No captioning with this ID was started in the project (captioning IDs are kept in memory, so they are also unknown after a server restart).',
    'Use the `captionsId` that `POST …/captions` returned.',
  ),
  CAPTIONS_ALREADY_STARTED: define(
    40960,
    'Live captions have already started for this session',
    'A session has at most one captioning at a time, and one is running.',
    'Stop the running captioning first (`POST …/captions/{captionsId}/stop`), or keep using it.',
  ),
  CAPTIONS_SESSION_RELAYED: define(
    40962,
    'Live captions are only available in routed sessions',
    'Captions need the media router to receive the audio; in a relayed session media goes from client to client.',
    'Create the session with `mediaMode: routed` (`p2p.preference: disabled`).',
  ),
  SPEECH_RECOGNIZER_UNAVAILABLE: define(
    50003,
    'This server has no speech recogniser for live captions',
    'Live captions run PocketSphinx offline, and the server cannot find it: the `python3-pocketsphinx` bindings do not import, or no speech model is installed. The message names what is missing.',
    'Install the recogniser and a model (Debian: `apt-get install python3-pocketsphinx pocketsphinx-en-us`), or point `PARLEY_CAPTIONS_PYTHON` and `PARLEY_POCKETSPHINX_MODELS` at them.',
  ),
  // SIP interconnect (dial, play DTMF).
  DTMF_DIGITS_INVALID: define(
    40015,
    'One of the properties — digits or sessionId — is invalid.',
    'The DTMF `digits` are missing, longer than 256 characters, or contain a character other than `0`–`9`, `*`, `#` and `p`. The message begins with Vonage’s wording, then names the rule.',
    'Send `digits` as a string of `0`–`9`, `*`, `#` and `p` (a 500 ms pause), at most 256 characters.',
  ),
  SIP_HEADERS_TOO_LARGE: define(
    40016,
    'body.sip.headers must be at most 8192 bytes in total (names and values)',
    'The custom SIP headers of a dial request, names and values together in UTF-8, are over 8192 bytes.',
    'Send fewer or shorter `sip.headers`.',
  ),
  SIP_TOKEN_INVALID: define(
    40017,
    'body.token is not a valid client token for the session',
    'The client token of a dial request does not verify, has expired, is for another session, or has the `subscriber` role (the SIP call publishes a stream). The message says which.',
    'Generate a `publisher` or `moderator` token for `sessionId` with the project’s credentials.',
  ),
  SIP_MEDIA_UNSUPPORTED: define(
    40018,
    'This server does not support the requested SIP media',
    'The dial request asks for encrypted media (`sip.secure: true`, SRTP) or video (`sip.video: true`); the reference server’s SIP calls carry plain RTP audio only. The message names the field.',
    'Leave `sip.secure` and `sip.video` unset or false (`;transport=tls` still encrypts the signalling).',
  ),
  SIP_SESSION_RELAYED: define(
    40911,
    'SIP calls need a routed session',
    'The session is relayed (peer to peer), so no media passes through the server for a SIP call to join.',
    'Create the session with `mediaMode: routed` (`p2p.preference: disabled`).',
  ),
  SIP_SESSION_E2EE: define(
    40912,
    'SIP calls cannot join an end-to-end encrypted session',
    'The server cannot decode or produce the media of an end-to-end encrypted session, so a SIP call cannot exchange audio with it.',
    'Use a session created without `e2ee`.',
  ),
  CONNECTION_NOT_SIP_CALL: define(
    40913,
    'The connection is not a SIP call; DTMF digits can only be played to SIP calls',
    'DTMF digits were sent to a connection of the session that was not created by `POST …/dial`.',
    'Use the `connectionId` that `POST …/dial` returned.',
  ),
} as const satisfies Record<string, ErrorDefinition>;

/** The name of a catalogue entry. */
export type ErrorName = keyof typeof ERRORS;

/** Options of {@link ApiError}. */
export interface ApiErrorOptions {
  /** Extra response headers, e.g. `Retry-After` or `Allow`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error that becomes an HTTP error response. Throw it from hooks and handlers; the app's error handler
 * sends `{ code, message }` with the catalogue entry's status.
 *
 * @example
 * ```ts
 * throw new ApiError('PROJECT_NOT_FOUND', `Project ${projectId} was not found`);
 * ```
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The catalogue entry. */
  readonly definition: ErrorDefinition;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(name: ErrorName, message?: string, options: ApiErrorOptions = {}) {
    const definition: ErrorDefinition = ERRORS[name];
    super(message ?? definition.message, { cause: options.cause });
    this.definition = definition;
    this.headers = options.headers ?? {};
  }

  /** The HTTP status. */
  get status(): number {
    return this.definition.status;
  }

  /** The catalogue code. */
  get code(): number {
    return this.definition.code;
  }

  /** The response body. */
  toBody(): ErrorBody {
    return { code: this.definition.code, message: this.message };
  }
}

/** The body of every error response (the spec's `Error` schema). */
export interface ErrorBody {
  code: number;
  message: string;
}

/** The catalogue as a Markdown table ("Code | Status | Name | Description | How to solve"). */
export function errorCatalogueMarkdown(): string {
  const escapeCell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = Object.entries(ERRORS as Record<string, ErrorDefinition>)
    .sort(([, a], [, b]) => a.code - b.code)
    .map(
      ([name, e]) =>
        `| ${e.code} | ${e.status} | \`${name}\`${e.retired ? ' (retired)' : ''} | ${escapeCell(e.description)} | ${escapeCell(e.howToSolve)} |`,
    );
  return ['| Code | Status | Name | Description | How to solve |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
