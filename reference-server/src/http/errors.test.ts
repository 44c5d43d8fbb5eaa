import { describe, expect, it } from 'vitest';
import { ApiError, ERRORS, type ErrorDefinition, errorCatalogueMarkdown } from './errors.js';

describe('the error catalogue', () => {
  const entries = Object.entries(ERRORS as Record<string, ErrorDefinition>);

  it('never uses a code twice', () => {
    const codes = entries.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('starts every code with its HTTP status and documents every entry', () => {
    for (const [name, e] of entries) {
      expect(Math.floor(e.code / 100), name).toBe(e.status);
      expect(e.code % 100, name).toBeGreaterThan(0);
      expect(e.description.length, name).toBeGreaterThan(10);
      expect(e.howToSolve.length, name).toBeGreaterThan(5);
    }
  });

  it('turns into the API error body', () => {
    const error = new ApiError('PROJECT_NOT_FOUND', 'Project 1 was not found', { headers: { 'x-a': 'b' } });
    expect(error.status).toBe(404);
    expect(error.toBody()).toEqual({ code: 40464, message: 'Project 1 was not found' });
    expect(error.headers).toEqual({ 'x-a': 'b' });
    expect(new ApiError('INTERNAL').message).toBe('An internal error occurred');
  });

  it('renders a Markdown table sorted by code', () => {
    const rows = errorCatalogueMarkdown().split('\n').slice(2);
    const codes = rows.map((row) => Number(row.split('|')[1]));
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    expect(rows).toHaveLength(entries.length);
  });
});
