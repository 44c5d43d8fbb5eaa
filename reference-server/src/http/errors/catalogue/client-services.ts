import { define, type ErrorDefinition } from '../define.js';

/** Errors of the services that join a session as a client: the Audio Connector, and the token and session checks that captions and renders share with it. */
export const CLIENT_SERVICE_ERRORS = {
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
} as const satisfies Record<string, ErrorDefinition>;
