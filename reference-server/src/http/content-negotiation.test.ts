import { describe, expect, it } from 'vitest';
import { acceptedMediaRanges, acceptsJson } from './content-negotiation.js';

describe('Accept handling', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['application/json', true],
    ['*/*', true],
    ['application/*', true],
    ['text/html, application/json;q=0.1', true],
    ['application/xml', false],
    ['text/xml, application/xml', false],
    ['application/json;q=0, application/xml', false],
  ])('%j accepts JSON: %s', (accept, expected) => {
    expect(acceptsJson(accept)).toBe(expected);
  });

  it('lists ranges without parameters, dropping q=0', () => {
    expect(acceptedMediaRanges('Text/HTML;level=1, application/json;q=0')).toEqual(['text/html']);
  });
});
