import { describe, expect, it } from 'vitest';
import { RecordingError } from '../errors.js';
import { parseLayout, parseStartRequest } from './start-options.js';

const codeOf = (work: () => unknown): number | null => {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof RecordingError ? error.code : -1;
  }
};

describe('parseStartRequest', () => {
  it('applies the defaults, treating null as not set (legacy Python SDK)', () => {
    expect(
      parseStartRequest({
        sessionId: 's',
        name: null,
        resolution: null,
        multiArchiveTag: null,
        maxBitrate: null,
      }),
    ).toEqual({
      sessionId: 's',
      name: '',
      outputMode: 'composed',
      streamMode: 'auto',
      hasAudio: true,
      hasVideo: true,
      hasTranscription: false,
      resolution: '640x480',
      layout: { type: 'bestFit' },
    });
  });

  it('keeps composed options and leaves them out of individual archives', () => {
    expect(
      parseStartRequest({
        sessionId: 's',
        resolution: '1080x1920',
        layout: { type: 'bestFit', screenshareType: 'pip' },
        quantizationParameter: 20,
        multiArchiveTag: 't',
      }),
    ).toMatchObject({
      resolution: '1080x1920',
      layout: { type: 'bestFit', screenshareType: 'pip' },
      quantizationParameter: 20,
      multiArchiveTag: 't',
    });
    const individual = parseStartRequest({
      sessionId: 's',
      outputMode: 'individual',
      hasTranscription: true,
    });
    expect(individual).not.toHaveProperty('resolution');
    expect(individual).toMatchObject({ hasTranscription: true, transcriptionProperties: {} });
  });

  it('accepts the resolution the spec fills in by default on individual archives, but no other', () => {
    // Request validation applies the schema default (640x480) before the handler sees the body.
    const individual = parseStartRequest({ sessionId: 's', outputMode: 'individual', resolution: '640x480' });
    expect(individual).not.toHaveProperty('resolution');
    expect(
      codeOf(() => parseStartRequest({ sessionId: 's', outputMode: 'individual', resolution: '1280x720' })),
    ).toBe(40001);
  });

  it('refuses what breaks a rule, naming the field', () => {
    expect(codeOf(() => parseStartRequest({ sessionId: 's', hasAudio: false, hasVideo: false }))).toBe(40001);
    expect(
      codeOf(() => parseStartRequest({ sessionId: 's', maxBitrate: 200_000, quantizationParameter: 20 })),
    ).toBe(40001);
    expect(codeOf(() => parseStartRequest({ sessionId: 's', maxBitrate: 50 }))).toBe(40001);
    expect(
      codeOf(() => parseStartRequest({ sessionId: 's', outputMode: 'individual', layout: { type: 'pip' } })),
    ).toBe(40001);
    expect(codeOf(() => parseStartRequest({ sessionId: 's', hasTranscription: true }))).toBe(40001);
    expect(codeOf(() => parseStartRequest({ sessionId: 's', resolution: '800x600' }))).toBe(40001);
    expect(() => parseStartRequest({ sessionId: 's', hasAudio: false, hasVideo: false })).toThrow(
      'body.hasAudio and body.hasVideo cannot both be false',
    );
  });
});

describe('parseLayout', () => {
  it('refuses custom layouts with 40022 once their shape is valid, and malformed layouts with 40001', () => {
    expect(codeOf(() => parseLayout({ type: 'custom', stylesheet: 'a {}' }, 'body'))).toBe(40022);
    expect(codeOf(() => parseLayout({ type: 'custom' }, 'body'))).toBe(40001);
    expect(codeOf(() => parseLayout({ type: 'pip', stylesheet: 'a {}' }, 'body'))).toBe(40001);
    expect(codeOf(() => parseLayout({ type: 'pip', screenshareType: 'bestFit' }, 'body'))).toBe(40001);
    expect(codeOf(() => parseLayout({ type: 'focus' }, 'body'))).toBe(40001);
    expect(parseLayout({ type: 'verticalPresentation' }, 'body')).toEqual({ type: 'verticalPresentation' });
  });
});
