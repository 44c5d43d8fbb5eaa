import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReadme } from './readme-sections.js';

describe('README', () => {
  it('has the current option table and error catalogue (run `pnpm --filter @parley/reference-server readme`)', () => {
    const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
    const readme = readFileSync(file, 'utf8');
    expect(renderReadme(readme)).toBe(readme);
  });

  it('refuses a README without the markers', () => {
    expect(() => renderReadme('# nothing here')).toThrow('<!-- config:start -->');
  });
});
