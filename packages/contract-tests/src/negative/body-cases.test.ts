import { describe, expect, it } from 'vitest';
import { MINI_DOC, miniSpec, WIDGET_BODY } from '../fixtures/mini-spec.js';
import { ContractSpec } from '../spec.js';
import { generateBodyCases, InvalidBaseError } from './body-cases.js';

const spec = miniSpec();
const base = { sessionId: 'abc', mode: 'composed', shape: { kind: 'round' } };

describe('generateBodyCases', () => {
  const cases = generateBodyCases(spec, WIDGET_BODY, base);
  const byDescription = new Map(cases.map((c) => [c.description, c]));

  it('makes only bodies the spec rejects', () => {
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) expect(spec.validate(WIDGET_BODY, c.body), c.description).not.toBeNull();
  });

  it('drops each required field', () => {
    expect(byDescription.get('body.sessionId is required')?.body).toEqual({
      mode: 'composed',
      shape: { kind: 'round' },
    });
  });

  it('breaks types, ranges, lengths, enums and patterns field by field', () => {
    expect(byDescription.get('body.size must be at most 10')?.body).toMatchObject({ size: 11 });
    expect(byDescription.get('body.size must be at least 1')?.body).toMatchObject({ size: 0 });
    expect(byDescription.get('body.sessionId must be at most 20 characters')?.body).toMatchObject({
      sessionId: 'abc'.repeat(7).slice(0, 21),
    });
    expect(byDescription.get('body.mode must be one of composed, individual')?.body).toMatchObject({
      mode: 'contract-not-in-enum',
    });
    expect(byDescription.get('body.sessionId must match ^[A-Za-z0-9_-]+$')?.body).toMatchObject({
      sessionId: 'has spaces',
    });
    expect(byDescription.get('body.fast must be boolean')?.body).toMatchObject({
      fast: 'contract-wrong-type',
    });
    expect(byDescription.get('body allows no unknown fields')?.body).toMatchObject({
      contractUnknownField: 'x',
    });
  });

  it('walks into nested objects, even behind a oneOf', () => {
    expect(byDescription.get('body.shape.kind must be one of round, custom')?.body).toEqual({
      ...base,
      shape: { kind: 'contract-not-in-enum' },
    });
  });

  it('generates cross-field violations: if/then, not, and nested if/then', () => {
    const cross = cases.filter((c) => c.kind === 'crossField').map((c) => c.body);
    expect(cross).toContainEqual({ ...base, mode: 'individual', resolution: '640x480' });
    expect(cross).toContainEqual({ ...base, fast: true, slow: true });
    expect(cross).toContainEqual({ ...base, shape: { kind: 'custom' } });
  });

  it('adds an absent optional field only to break it', () => {
    // `tags` is absent in the base; maxItems needs a current list, so only its type is broken.
    expect(cases.some((c) => c.description === 'body.tags must be array')).toBe(true);
  });

  it('refuses an invalid base body, naming the problem', () => {
    expect(() => generateBodyCases(spec, WIDGET_BODY, { mode: 'composed' })).toThrow(InvalidBaseError);
    expect(() => generateBodyCases(spec, WIDGET_BODY, { mode: 'composed' })).toThrow(/sessionId/);
  });

  it('keeps form bodies textual and skips type mutations there', () => {
    const doc = structuredClone(MINI_DOC);
    const formSpec = new ContractSpec(doc);
    const form = generateBodyCases(formSpec, '/components/schemas/Shape', { kind: 'round' }, { form: true });
    expect(form.every((c) => Object.values(c.body as object).every((v) => typeof v === 'string'))).toBe(true);
    expect(form.some((c) => c.kind === 'wrongType')).toBe(false);
    expect(form.map((c) => c.body)).toContainEqual({ kind: 'custom' });
  });
});
