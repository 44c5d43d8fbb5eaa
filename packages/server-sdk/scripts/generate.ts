/**
 * `pnpm generate`: regenerates `src/generated/` from `openapi/generated/parley.json`.
 * Usage: node scripts/generate.ts [spec.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderSchema, renderTypeAliases, SCHEMA_PATH, SPEC_PATH, TYPES_PATH } from './schema-codegen.ts';

const spec = process.argv[2] ?? SPEC_PATH;
mkdirSync(dirname(SCHEMA_PATH), { recursive: true });
writeFileSync(SCHEMA_PATH, await renderSchema(spec));
writeFileSync(TYPES_PATH, renderTypeAliases(spec));
console.log(`Wrote ${SCHEMA_PATH} and ${TYPES_PATH} from ${spec}`);
