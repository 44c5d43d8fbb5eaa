/**
 * `pnpm --filter @parley/docs serve [-- --port N --dir DIR]`: serves the built site (default `docs/site/`)
 * on http://127.0.0.1:4080 until Ctrl+C.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DOCS_ROOT } from '../src/build/paths.js';
import { startStaticServer } from '../src/serve/static-server.js';

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const root = resolve(flag('dir') ?? join(DOCS_ROOT, 'site'));
const port = Number(flag('port') ?? process.env.PORT ?? 4080);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`docs serve: --port must be an integer from 0 to 65535, got "${flag('port')}"\n`);
  process.exit(2);
}
if (!existsSync(join(root, 'index.html'))) {
  process.stderr.write(`docs serve: ${root} has no index.html; run pnpm --filter @parley/docs build first\n`);
  process.exit(1);
}
const server = await startStaticServer({ root, port });
process.stdout.write(`Parley docs on ${server.url} (serving ${root}); Ctrl+C stops.\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
