import { describe, expect, it } from 'vitest';
import { miniSpec } from '../fixtures/mini-spec.js';
import { generateParameterCases } from './parameter-cases.js';

describe('generateParameterCases', () => {
  const spec = miniSpec();

  it('breaks numeric query parameters by type and range', () => {
    const cases = generateParameterCases(spec, spec.operation('listWidgets'));
    expect(cases.map((c) => `${c.description} = ${c.value}`)).toEqual([
      'query.offset must be integer = contract-wrong-type',
      'query.offset must be at least 0 = -1',
      'query.count must be integer = contract-wrong-type',
      'query.count must be at least 1 = 0',
      'query.count must be at most 1000 = 1001',
    ]);
  });

  it('breaks path parameter patterns and lengths, but never with a type text cannot have', () => {
    const cases = generateParameterCases(spec, spec.operation('deleteWidget'), { widgetId: 'w-1' });
    expect(cases.every((c) => c.location === 'path' && c.name === 'widgetId')).toBe(true);
    expect(cases.map((c) => c.kind)).toEqual(['tooLong', 'patternViolation']);
    expect(cases.find((c) => c.kind === 'patternViolation')?.value).toBe('has spaces');
    // projectId is the credentials' business, never mutated here.
    expect(cases.some((c) => c.name === 'projectId')).toBe(false);
  });
});
