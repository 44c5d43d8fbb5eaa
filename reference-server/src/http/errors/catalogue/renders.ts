import { define, type ErrorDefinition } from '../define.js';

/** Errors of Experience Composer renders. */
export const RENDER_ERRORS = {
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
} as const satisfies Record<string, ErrorDefinition>;
