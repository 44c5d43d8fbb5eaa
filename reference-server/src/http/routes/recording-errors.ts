/**
 * The bridge between the recording error catalogue and the HTTP one: the archive and broadcast managers
 * throw {@link RecordingError}s whose codes are also API error codes, and the routes answer them as
 * {@link ApiError}s with the same code and message.
 */
import { RecordingError } from '../../recording/errors.js';
import { ApiError, ERRORS, type ErrorName } from '../errors.js';

/** The HTTP catalogue entry for each API error code. */
const NAME_BY_CODE = new Map<number, ErrorName>(
  (Object.entries(ERRORS) as [ErrorName, { code: number }][]).map(([name, entry]) => [entry.code, name]),
);

/** The API error for a recording error (same code and message); anything else is returned as is. */
export function recordingApiError(error: unknown): unknown {
  if (!(error instanceof RecordingError)) return error;
  const name = NAME_BY_CODE.get(error.code);
  // A recording code missing from the HTTP catalogue is a programming error: answer 500, keep the cause.
  return name
    ? new ApiError(name, error.message, { cause: error })
    : new ApiError('INTERNAL', undefined, { cause: error });
}

/** Runs `work`, turning recording errors into API errors. */
export async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw recordingApiError(error);
  }
}
