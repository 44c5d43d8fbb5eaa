/**
 * Builds the browser bundle and its types:
 * - `dist/parley-client.js`: one ESM file for browsers (esbuild; `@parley/protocol` and `@parley/events`
 *   are bundled in, nothing else is imported), plus its source map;
 * - `dist/types/…`: declarations from `tsc --emitDeclarationOnly`; the workspace packages' declarations
 *   are emitted beside the client's and their bare imports rewritten to relative paths, so the types work
 *   outside this repository.
 *
 * Run with `node scripts/build.ts [outDir]` (default `dist`).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKSPACE_PACKAGES: Record<string, string> = {
  '@parley/events': 'events/src/index.js',
  '@parley/protocol': 'protocol/src/index.js',
};

/** Builds into `outDir`; returns the bundle's path. */
export async function buildClient(outDir = join(packageDir, 'dist')): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  const bundle = join(outDir, 'parley-client.js');
  await esbuild({
    entryPoints: [join(packageDir, 'src/index.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox117', 'safari16'],
    sourcemap: true,
    // No `keepNames`: it would add `__name(…)` calls inside the functions the e2ee worker is built from,
    // and the worker has no `__name`. Top-level function names survive bundling without it.
    legalComments: 'none',
    logLevel: 'warning',
  });
  const typesDir = join(outDir, 'types');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', typesDir], {
    stdio: 'inherit',
  });
  // tsc does not copy hand-written or generated .d.ts files; the protocol's generated schema types are one.
  cpSync(
    join(packageDir, '../protocol/src/generated/protocol.d.ts'),
    join(typesDir, 'protocol/src/generated/protocol.d.ts'),
  );
  rewriteWorkspaceImports(typesDir);
  // The package's `types` entry point.
  writeFileSync(join(typesDir, 'index.d.ts'), "export * from './client/src/index.js';\n");
  return bundle;
}

/** Replaces `from '@parley/x'` in emitted declarations with relative paths to the emitted copies. */
function rewriteWorkspaceImports(typesDir: string): void {
  for (const file of walk(typesDir)) {
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(
      /(['"])(@parley\/(?:events|protocol))\1/g,
      (_match, quote: string, name: string) => {
        const target = join(typesDir, WORKSPACE_PACKAGES[name] as string);
        let path = relative(dirname(file), target);
        if (!path.startsWith('.')) path = `./${path}`;
        return `${quote}${path}${quote}`;
      },
    );
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bundle = await buildClient(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${relative(process.cwd(), bundle)}`);
}
