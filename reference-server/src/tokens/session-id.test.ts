import OpenTok from 'opentok';
import { describe, expect, it } from 'vitest';
import { decodeSessionId, encodeSessionId, isSessionOfProject, MAX_SESSION_ID_LENGTH } from './session-id.js';

const project = { apiKey: '47000001', applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56' };
const mint = (overrides: Partial<Parameters<typeof encodeSessionId>[0]> = {}) =>
  encodeSessionId({ ...project, location: null, createdAt: 1_700_000_000_000, ...overrides });

describe('encodeSessionId', () => {
  it('produces the documented layout', () => {
    const id = mint({ location: '10.0.0.7', nonce: 'abc' });
    expect(id.startsWith('2_')).toBe(true);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(id.slice(2), 'base64url').toString()).toBe(
      `1~47000001~10.0.0.7~1700000000000~abc~${project.applicationId}~`,
    );
  });

  it('round-trips through decodeSessionId', () => {
    expect(decodeSessionId(mint({ location: '192.168.1.1', nonce: 'n0nce' }))).toEqual({
      prefix: '2',
      formatVersion: '1',
      apiKey: '47000001',
      location: '192.168.1.1',
      createdAt: 1_700_000_000_000,
      nonce: 'n0nce',
      applicationId: project.applicationId,
    });
  });

  it('uses a fresh random part for every ID', () => {
    const ids = new Set(Array.from({ length: 50 }, () => mint()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(MAX_SESSION_ID_LENGTH);
  });

  it('rejects inputs that cannot be encoded, naming the field', () => {
    expect(() => mint({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => mint({ apiKey: '47~1' })).toThrow(/apiKey/);
    expect(() => mint({ applicationId: 'é' })).toThrow(/applicationId/);
    expect(() => mint({ location: 'example.com' })).toThrow(/location/);
    expect(() => mint({ location: '::1' })).toThrow(/location/);
    expect(() => mint({ createdAt: -1 })).toThrow(/createdAt/);
    expect(() => mint({ createdAt: 1.5 })).toThrow(/createdAt/);
    expect(() => mint({ nonce: 'x'.repeat(300) })).toThrow(/255/);
  });
});

describe('decodeSessionId', () => {
  it('answers the ID just minted from memory exactly as it decodes it afresh', () => {
    const cases = [
      {
        apiKey: '12345678',
        applicationId: 'c16ae86b-8a36-4a9c-8f63-f9a234192259',
        location: null,
        createdAt: 0,
      },
      {
        apiKey: '47',
        applicationId: 'app',
        location: '10.1.2.3',
        createdAt: 1_795_596_963_065,
        nonce: 'x-Y_z',
      },
    ];
    for (const parts of cases) {
      const id = encodeSessionId(parts);
      const remembered = decodeSessionId(id);
      // Another mint replaces the remembered one, so this decode runs in full.
      encodeSessionId({ ...parts, createdAt: parts.createdAt + 1 });
      const fresh = decodeSessionId(id);
      expect(remembered).toEqual(fresh);
      expect(fresh).not.toBe(remembered);
      expect(Object.isFrozen(remembered)).toBe(true);
    }
  });

  it.each([
    [
      '1_MX4xMDB-MTI3LjAuMC4xflR1ZSBKYW4gMjggMTU6NDg6NDAgUFNUIDIwMTR-MC43NjAyOTYyfg',
      { prefix: '1', apiKey: '100', location: '127.0.0.1', createdAt: Date.UTC(2014, 0, 28, 23, 48, 40) },
    ],
    [
      '2_MX40NzIwMzJ-flR1ZSBPY3QgMjkgMTI6MTM6MjMgUERUIDIwMTN-MC45NDQ2MzE2NH4',
      { prefix: '2', apiKey: '472032', location: null, createdAt: Date.UTC(2013, 9, 29, 19, 13, 23) },
    ],
    [
      '2_MX4xMzExMjU3MX5-MTQ3MDI1NzY3OTkxOH45QXRr',
      { prefix: '2', apiKey: '13112571', location: null, createdAt: 1_470_257_679_918, nonce: '9Atk' },
    ],
  ])('decodes the real OpenTok ID %s', (id, expected) => {
    expect(decodeSessionId(id)).toMatchObject({ formatVersion: '1', applicationId: null, ...expected });
  });

  it.each([
    ['empty', ''],
    ['no prefix', 'MX40NzIwMzJ-'],
    ['bad characters', '2_MX4+NzIw/'],
    ['too long', `2_${'A'.repeat(300)}`],
    ['binary payload', `2_${Buffer.from([0, 1, 2, 255, 126]).toString('base64url')}`],
    ['no API key', `2_${Buffer.from('1~~~').toString('base64url')}`],
    ['a single field', `2_${Buffer.from('hello').toString('base64url')}`],
    ['non-numeric version', `2_${Buffer.from('x~47~').toString('base64url')}`],
  ])('returns null for %s', (_name, id) => {
    expect(decodeSessionId(id)).toBeNull();
  });

  it('reports an unreadable creation time as null', () => {
    expect(
      decodeSessionId(`2_${Buffer.from('1~47~~not a date~n~').toString('base64url')}`)?.createdAt,
    ).toBeNull();
  });
});

describe('isSessionOfProject', () => {
  it('accepts our IDs for the project and refuses other projects', () => {
    const id = mint();
    expect(isSessionOfProject(id, project)).toBe(true);
    expect(isSessionOfProject(id, { ...project, apiKey: '47000002' })).toBe(false);
    expect(
      isSessionOfProject(id, { ...project, applicationId: '00000000-0000-4000-8000-000000000000' }),
    ).toBe(false);
    expect(isSessionOfProject('garbage', project)).toBe(false);
  });

  it('accepts legacy IDs naming the API key and Vonage IDs naming the application', () => {
    const legacy = '2_MX4xMzExMjU3MX5-MTQ3MDI1NzY3OTkxOH45QXRr';
    expect(isSessionOfProject(legacy, { apiKey: '13112571', applicationId: project.applicationId })).toBe(
      true,
    );
    const vonage = `2_${Buffer.from(`1~${project.applicationId}~~1700000000000~r~`).toString('base64url')}`;
    expect(isSessionOfProject(vonage, project)).toBe(true);
  });
});

describe('the official opentok SDK', () => {
  it('mints tokens for our session IDs and refuses another key’s', () => {
    const ours = new OpenTok(project.apiKey, 'a-secret');
    const id = mint({ location: '10.1.1.1' });
    expect(() => ours.generateToken(id)).not.toThrow();
    expect(() => ours.generateToken(id, {}, true)).not.toThrow();
    const theirs = new OpenTok('47000002', 'a-secret');
    expect(() => theirs.generateToken(id)).toThrow(/belongs to the API Key/);
  });
});
