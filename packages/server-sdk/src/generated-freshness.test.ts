/**
 * The committed `src/generated/` files must equal a fresh rendering of `openapi/generated/parley.json`:
 * when the spec changes, run `pnpm --filter @parley/server-sdk generate` and commit the result.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  renderSchema,
  renderTypeAliases,
  SCHEMA_PATH,
  SPEC_PATH,
  TYPES_PATH,
} from '../scripts/schema-codegen.ts';

const spec = process.env.PARLEY_SPEC_PATH ?? SPEC_PATH;
const hint = 'stale: run `pnpm --filter @parley/server-sdk generate`';

describe('generated types', () => {
  it('schema.ts matches the bundled spec', async () => {
    expect(
      readFileSync(SCHEMA_PATH, 'utf8') === (await renderSchema(spec)),
      `src/generated/schema.ts is ${hint}`,
    ).toBe(true);
  });

  it('types.ts matches the bundled spec', () => {
    expect(
      readFileSync(TYPES_PATH, 'utf8') === renderTypeAliases(spec),
      `src/generated/types.ts is ${hint}`,
    ).toBe(true);
  });
});
