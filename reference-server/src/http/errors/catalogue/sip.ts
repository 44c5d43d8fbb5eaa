import { define, type ErrorDefinition } from '../define.js';

/** Errors of the SIP interconnect (dial, play DTMF). */
export const SIP_ERRORS = {
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
