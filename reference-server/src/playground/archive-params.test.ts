import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { checkArchiveId, MAX_ARCHIVE_NAME_LENGTH, parseArchiveStartParams } from './archive-params.js';

const refusal = (work: () => unknown): { code: number; message: string } => {
  try {
    work();
  } catch (error) {
    if (error instanceof ApiError) return error.toBody();
    throw error;
  }
  throw new Error('expected an ApiError');
};

describe('parseArchiveStartParams', () => {
  it('treats an absent or empty body as no name', () => {
    for (const body of [undefined, null, '', {}, { name: null }, { name: '  ' }]) {
      expect(parseArchiveStartParams(body)).toEqual({ name: null });
    }
  });

  it('keeps a trimmed name', () => {
    expect(parseArchiveStartParams({ name: ' Standup ' })).toEqual({ name: 'Standup' });
    const longest = 'n'.repeat(MAX_ARCHIVE_NAME_LENGTH);
    expect(parseArchiveStartParams({ name: longest })).toEqual({ name: longest });
  });

  it.each([
    [[1], 'body must be a JSON object'],
    ['text', 'body must be a JSON object'],
    [{ name: 5 }, 'body.name must be a string'],
    [{ name: 'n'.repeat(MAX_ARCHIVE_NAME_LENGTH + 1) }, 'body.name must be at most 255 characters'],
    [{ outputMode: 'individual' }, 'body.outputMode is not a known field'],
  ])('refuses %j naming the field', (body, message) => {
    expect(refusal(() => parseArchiveStartParams(body))).toEqual({
      code: 40001,
      message: expect.stringContaining(message),
    });
  });
});

describe('checkArchiveId', () => {
  it('accepts UUIDs in either case and refuses anything else naming the field', () => {
    const id = 'b40ef09b-3811-4726-b508-e41a0f96c68f';
    expect(checkArchiveId(id)).toBe(id);
    expect(checkArchiveId(id.toUpperCase())).toBe(id.toUpperCase());
    for (const bad of ['', 'nope', `${id}x`, '../etc', 42]) {
      expect(refusal(() => checkArchiveId(bad))).toEqual({
        code: 40001,
        message: 'path.archiveId must be an archive ID (a UUID)',
      });
    }
  });
});
