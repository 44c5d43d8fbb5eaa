/**
 * Rewrites the generated sections of README.md (option table, error catalogue) from the code.
 * Usage: pnpm --filter @parley/reference-server readme
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReadme } from '../src/readme-sections.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
writeFileSync(file, renderReadme(readFileSync(file, 'utf8')));
