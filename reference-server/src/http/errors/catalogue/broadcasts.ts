import { define, type ErrorDefinition } from '../define.js';

/** Errors of broadcasts (live streaming to HLS and RTMP). */
export const BROADCAST_ERRORS = {
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
} as const satisfies Record<string, ErrorDefinition>;
