import { describe, expect, it } from 'vitest';
import { RecordingError } from '../../recording/errors.js';
import { ApiError } from '../errors.js';
import { answering, recordingApiError } from './recording-errors.js';

describe('recordingApiError', () => {
  it('answers a recording error with the API error of the same code and message', () => {
    const cause = new RecordingError('ARCHIVE_NOT_FOUND', 'Archive x was not found');
    const error = recordingApiError(cause);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ definition: { code: 40422 }, message: 'Archive x was not found', cause });
  });

  it('answers 500 for a recording code missing from the HTTP catalogue', () => {
    const cause = new RecordingError('ARCHIVE_NOT_FOUND');
    Object.defineProperty(cause, 'code', { value: 59999 });
    expect(recordingApiError(cause)).toMatchObject({ definition: { code: 50001 }, cause });
  });

  it('passes any other error through, and answering() rethrows the mapped error', async () => {
    const other = new TypeError('boom');
    expect(recordingApiError(other)).toBe(other);
    await expect(answering(async () => 1)).resolves.toBe(1);
    await expect(
      answering(() => Promise.reject(new RecordingError('SESSION_NOT_FOUND'))),
    ).rejects.toMatchObject({ definition: { code: 40401 } });
  });
});
