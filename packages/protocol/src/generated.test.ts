import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the generator is a plain ESM script without type declarations.
import { generate } from '../scripts/generate.mjs';

const generatedDir = join(dirname(fileURLToPath(import.meta.url)), 'generated');

describe('generated protocol types', () => {
  it('are up to date with the spec (run `pnpm --filter @parley/protocol generate`)', async () => {
    const fresh = (await generate()) as Record<string, string>;
    for (const [name, text] of Object.entries(fresh)) {
      expect(readFileSync(join(generatedDir, name), 'utf8'), name).toBe(text);
    }
  });
});
