/**
 * Where things are: the docs package, the repository root, and the installed packages the build uses
 * (found through `docs/node_modules`, which pnpm links to the workspace packages and the dependencies of
 * `docs/package.json`; some of them do not export their `package.json`, so `require.resolve` cannot).
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `docs/` directory. */
export const DOCS_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The repository root. */
export const REPO_ROOT = join(DOCS_ROOT, '..');

/** The guides' directory. */
export const GUIDES_DIR = join(DOCS_ROOT, 'guides');

/**
 * The directory of an installed package, e.g. `packageDir('@parley/server-sdk')`.
 *
 * @throws when the package is not installed (run `pnpm install`).
 */
export function packageDir(name: string): string {
  const dir = join(DOCS_ROOT, 'node_modules', ...name.split('/'));
  if (!existsSync(join(dir, 'package.json'))) {
    throw new Error(`${name} is not installed in docs/node_modules; run pnpm install`);
  }
  return realpathSync(dir);
}
