/**
 * The playground: a development page, served by the reference server, where people hold calls with the
 * Parley client SDK. See `plugin.ts` for its routes and the README's "Playground" section.
 */
export type { ArchiveListing, ArchiveSummary, JoinGrant } from './app-server.js';
export { PLAYGROUND_TOKEN_TTL_SECONDS, PlaygroundAppServer } from './app-server.js';
export {
  type ArchiveStartParams,
  checkArchiveId,
  MAX_ARCHIVE_NAME_LENGTH,
  parseArchiveStartParams,
} from './archive-params.js';
export {
  checkSessionId,
  type JoinParams,
  MAX_DISPLAY_NAME_LENGTH,
  PLAYGROUND_MEDIA_MODES,
  PLAYGROUND_ROLES,
  type PlaygroundMediaMode,
  type PlaygroundRole,
  parseJoinParams,
} from './join-params.js';
export { PLAYGROUND_PATH, type PlaygroundOptions, registerPlayground } from './plugin.js';
