/** Human explanations of errors, keyed by the client SDK's error codes (the OpenTok.js numbers). */
import { ParleyClientError } from '@parley/client';
import { PlaygroundApiError } from './api.js';

const CLIENT_ERRORS: Record<number, string> = {
  1004: 'The server refused the token (expired, or for another project). Join again to get a new one.',
  1005: 'This session does not exist on the server.',
  1006: 'The server could not be reached, or it refused the connection.',
  1008: 'Joining timed out.',
  1010: 'You are not connected to the session.',
  1011: 'A value was not accepted.',
  1026: 'The project is suspended.',
  1027: 'The session is full.',
  1500: 'Publishing failed.',
  1501: 'Subscribing to a stream failed.',
  1510: 'The message could not be sent.',
  1520: 'Removing the participant was refused.',
  1530: 'Stopping the stream was refused.',
  1540: 'Muting was refused.',
  1554: 'The media connection failed.',
  2001: 'The server answered something unexpected.',
};

/** What the REST API's refusals to record mean in the playground (the API's codes, passed through). */
const RECORDING_ERRORS: Record<number, string> = {
  40421: 'Recording starts only while someone is connected to the session.',
  40921:
    "This session is relayed (peer to peer), so it cannot be recorded: recordings are made from the media that passes through the server's SFU. Start a new session with routed media to record.",
  40922: 'The session is already being recorded.',
  40901: 'That recording has already stopped.',
  40924: 'End-to-end encrypted sessions cannot be recorded.',
};

/** One line for the error banner: what happened, then the code, name and details. */
export function describeError(error: unknown): string {
  if (error instanceof ParleyClientError) {
    let summary = CLIENT_ERRORS[error.code] ?? 'Something went wrong.';
    if (error.name === 'OT_USER_MEDIA_ACCESS_DENIED') {
      summary = 'Camera or microphone access was denied: allow it in the browser and publish again.';
    }
    return `${summary} (${error.code} ${error.name}: ${error.message})`;
  }
  if (error instanceof PlaygroundApiError) {
    if (error.code === null) return error.message;
    const explanation = RECORDING_ERRORS[error.code];
    return explanation
      ? `${explanation} (${error.code}: ${error.message})`
      : `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
