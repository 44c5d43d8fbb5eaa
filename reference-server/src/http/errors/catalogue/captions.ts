import { define, type ErrorDefinition } from '../define.js';

/** Errors of live captions. */
export const CAPTION_ERRORS = {
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
} as const satisfies Record<string, ErrorDefinition>;
