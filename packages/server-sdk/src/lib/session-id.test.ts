import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/errors.js';
import { API_KEY, APPLICATION_ID, SESSION_ID } from '../testing/fixtures.js';
import { assertSessionIdShape, decodeSessionId, sessionBelongsToApiKey } from './session-id.js';

describe('decodeSessionId', () => {
  it('decodes a Parley session ID into its fields', () => {
    expect(decodeSessionId(SESSION_ID)).toEqual({
      prefix: '2',
      formatVersion: '1',
      apiKey: API_KEY,
      location: undefined,
      createdAt: new Date(1_700_000_000_000),
      random: 'abcdef',
      applicationId: APPLICATION_ID,
      fields: ['1', API_KEY, '', '1700000000000', 'abcdef', APPLICATION_ID, ''],
    });
  });

  it('decodes the legacy examples of the reference, with date-string creation times', () => {
    const legacy = decodeSessionId(
      '1_MX4xMDB-MTI3LjAuMC4xflR1ZSBKYW4gMjggMTU6NDg6NDAgUFNUIDIwMTR-MC43NjAyOTYyfg',
    );
    expect(legacy).toMatchObject({ prefix: '1', apiKey: '100', location: '127.0.0.1', random: '0.7602962' });
    expect(legacy.createdAt?.toISOString()).toBe('2014-01-28T23:48:40.000Z');
    expect(
      decodeSessionId('2_MX40NzIwMzJ-flR1ZSBPY3QgMjkgMTI6MTM6MjMgUERUIDIwMTN-MC45NDQ2MzE2NH4').apiKey,
    ).toBe('472032');
    expect(decodeSessionId('2_MX4xMzExMjU3MX5-MTQ3MDI1NzY3OTkxOH45QXRr')).toMatchObject({
      apiKey: '13112571',
      createdAt: new Date(1_470_257_679_918),
      random: '9Atk',
      applicationId: undefined,
    });
  });

  it('rejects values that are not session IDs, naming the field', () => {
    for (const bad of ['', 'no-prefix', '2_', `2_${'a'.repeat(300)}`, '2_abc/def', 'x_!!']) {
      expect(() => decodeSessionId(bad, 'sid')).toThrow(expect.objectContaining({ field: 'sid' }));
    }
    expect(() => assertSessionIdShape(42)).toThrow(InvalidArgumentError);
  });
});

describe('sessionBelongsToApiKey', () => {
  it('compares field 1 with the API key', () => {
    expect(sessionBelongsToApiKey(SESSION_ID, API_KEY)).toBe(true);
    expect(sessionBelongsToApiKey(SESSION_ID, '1234')).toBe(false);
    expect(sessionBelongsToApiKey('garbage', API_KEY)).toBe(false);
  });
});
