import { describe, expect, it } from 'vitest';
import { checkSignal, MAX_SIGNAL_DATA_LENGTH, MAX_SIGNAL_TYPE_LENGTH } from './signal.js';

describe('checkSignal', () => {
  it('accepts empty and maximal signals', () => {
    expect(checkSignal('', '')).toBeNull();
    expect(checkSignal('a'.repeat(MAX_SIGNAL_TYPE_LENGTH), 'x'.repeat(MAX_SIGNAL_DATA_LENGTH))).toBeNull();
    expect(checkSignal('Az09-_.~', '{"any":"thing"}')).toBeNull();
  });

  it('reports oversized fields as too-large', () => {
    expect(checkSignal('a'.repeat(MAX_SIGNAL_TYPE_LENGTH + 1), '')).toMatchObject({
      kind: 'too-large',
      field: 'type',
    });
    expect(checkSignal('', 'x'.repeat(MAX_SIGNAL_DATA_LENGTH + 1))).toMatchObject({
      kind: 'too-large',
      field: 'data',
    });
  });

  it('reports bad characters and non-strings as invalid', () => {
    expect(checkSignal('a b', '')).toMatchObject({ kind: 'invalid', field: 'type' });
    expect(checkSignal('chat/x', '')).toMatchObject({ kind: 'invalid', field: 'type' });
    expect(checkSignal(1, '')).toMatchObject({ kind: 'invalid', field: 'type' });
    expect(checkSignal('', { a: 1 })).toMatchObject({ kind: 'invalid', field: 'data' });
  });
});
