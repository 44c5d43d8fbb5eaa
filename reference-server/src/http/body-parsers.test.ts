import { describe, expect, it } from 'vitest';
import { parseForm } from './body-parsers.js';

describe('parseForm', () => {
  it('decodes fields, collects repeats and treats null, undefined and empty values as absent', () => {
    const form = parseForm('a=1&b=two+words&c=%E2%9C%93&d=null&e=undefined&f=&g=x&g=y');
    expect({ ...form }).toEqual({ a: '1', b: 'two words', c: '✓', g: ['x', 'y'] });
  });

  it('keeps __proto__ as a plain field', () => {
    const form = parseForm('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(form, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
