/**
 * `pnpm build`: compiles `src/` to ESM in `dist/esm` with tsc, then adds the CommonJS entry.
 *
 * The CommonJS entry `dist/cjs/index.cjs` re-exports the ESM build through `require(esm)` (Node ≥ 22.12,
 * the SDK's floor) instead of shipping a second compiled copy: one copy of the code means one copy of
 * each error class, so `instanceof` holds even in apps that mix `import` and `require`. Its types are the ESM declarations
 * copied as `.d.cts` files, so TypeScript sees CommonJS declarations under the `require` condition.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const esm = join(dist, 'esm');
const cjs = join(dist, 'cjs');
const tsc = join(root, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else yield full;
  }
}

for (const file of files(esm)) {
  if (!file.endsWith('.d.ts')) continue;
  const target = join(cjs, relative(esm, file)).replace(/\.d\.ts$/, '.d.cts');
  const text = readFileSync(file, 'utf8')
    .replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2')
    .replace(/(import\(\s*['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2')
    .replace(/\n\/\/# sourceMappingURL=.*$/, '\n');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
}
writeFileSync(
  join(cjs, 'index.cjs'),
  "'use strict';\n// CommonJS entry: the ESM build, loaded with require(esm) (Node >= 22.12). See scripts/build.ts.\nmodule.exports = require('../esm/index.js');\n",
);
console.log(`Built ${relative(root, esm)} and ${relative(root, cjs)}`);
