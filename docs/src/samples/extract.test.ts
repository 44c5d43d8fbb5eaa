import { describe, expect, it } from 'vitest';
import { extractSamples, SampleFormatError } from './extract.js';

describe('extractSamples', () => {
  it('finds ts and ts browser blocks with the line of their first code line', () => {
    const samples = extractSamples(
      'g.md',
      '# T\n\n```ts\nconst a = 1;\n```\n\n```sh\nls\n```\n\n```ts browser\nOT.x;\n```\n',
    );
    expect(samples).toEqual([
      { guide: 'g.md', line: 4, kind: 'node', code: 'const a = 1;\n' },
      { guide: 'g.md', line: 12, kind: 'browser', code: 'OT.x;\n' },
    ]);
  });

  it('refuses TypeScript fences the checker would skip', () => {
    expect(() => extractSamples('g.md', '# T\n\n```typescript\nconst a = 1;\n```\n')).toThrow(
      SampleFormatError,
    );
    expect(() => extractSamples('g.md', '# T\n\n```ts node\nconst a = 1;\n```\n')).toThrow(/guides\/g\.md:3/);
  });
});
