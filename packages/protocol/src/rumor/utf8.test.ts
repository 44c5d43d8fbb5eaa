import { describe, expect, it } from 'vitest';
import { utf8Length, writeUtf8 } from './utf8.js';

const samples = [
  '',
  'symphony.parley',
  'c0ffee-1234_abc.~',
  'héllo',
  '✓ check',
  'emoji 😀 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  'ends with high \ud83d',
  '\u07ff\u0800\uffff',
];

describe('UTF-8 helpers', () => {
  it.each(samples)('measure and write %j exactly as TextEncoder does', (text) => {
    const expected = new TextEncoder().encode(text);
    const length = utf8Length(text);
    expect(length).toBe(expected.length);
    const target = new Uint8Array(length + 4).fill(0xaa);
    expect(writeUtf8(target, 2, text, length)).toBe(2 + length);
    expect([...target.subarray(2, 2 + length)]).toEqual([...expected]);
    // Nothing around the written range is touched.
    expect([target[0], target[1], target[length + 2], target[length + 3]]).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
  });
});
