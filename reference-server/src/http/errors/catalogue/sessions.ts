import { define, type ErrorDefinition } from '../define.js';

/** Errors of sessions and of live-session operations (signals, connections, streams, moderation, the signaling endpoint). */
export const SESSION_ERRORS = {
  SESSION_NOT_FOUND: define(
    40401,
    'The session was not found',
    'No session of this project has the session ID in the path or body. Sessions of other projects are reported as not found too.',
    'Create the session with `POST /session/create` using the same project’s credentials.',
  ),
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
} as const satisfies Record<string, ErrorDefinition>;
