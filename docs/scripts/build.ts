/**
 * `pnpm --filter @parley/docs build [-- --out DIR]`: builds the documentation site into `docs/site/`
 * (or DIR). Needs the bundled spec (`pnpm generate`) and `pnpm install`; works offline.
 */
import { resolve } from 'node:path';
import { DOCS_ROOT } from '../src/build/paths.js';
import { buildSite } from '../src/build/site.js';

const outFlag = process.argv.indexOf('--out');
const outDir =
  outFlag > 0 && process.argv[outFlag + 1]
    ? resolve(process.argv[outFlag + 1] ?? '')
    : resolve(DOCS_ROOT, 'site');
const started = Date.now();
const result = await buildSite({ outDir, log: (message) => process.stdout.write(`docs: ${message}\n`) });
process.stdout.write(
  `docs: wrote ${result.pages.length} guides, the API reference and the SDK reference to ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
