#!/usr/bin/env node
/**
 * Builds the SFU's native datapath (`datapath.c` → `build/parley-datapath.node`) with the system C
 * compiler against the headers of the Node that runs this script (N-API and the OpenSSL Node is linked
 * with, so the addon's crypto calls resolve to Node's own OpenSSL at load time).
 *
 * Runs on `pnpm install` (the package's `postinstall`). Without a compiler or headers the server still
 * works on the JavaScript datapath, so by default a failed build only warns; `--strict` makes it fail
 * (for machines where the native datapath is expected).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'datapath.c');
const output = join(here, 'build', 'parley-datapath.node');
const strict = process.argv.includes('--strict');

/** Where Node's headers may live: an official install, the npm `node` package, a distribution's. */
function nodeIncludeDirectory() {
  const binDir = dirname(realpathSync(process.execPath));
  const candidates = [
    join(binDir, '..', 'include', 'node'),
    join(binDir, '..', 'node_modules', `node-${process.platform}-${process.arch}`, 'include', 'node'),
    '/usr/local/include/node',
    '/usr/include/node',
  ];
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

function fail(message) {
  const text = `parley: native SFU datapath not built: ${message}; the SFU uses its JavaScript datapath`;
  if (strict) {
    console.error(text);
    process.exit(1);
  }
  console.warn(text);
  process.exit(0);
}

if (process.platform !== 'linux') fail(`sendmmsg needs Linux (this is ${process.platform})`);
const include = nodeIncludeDirectory();
if (include === undefined) fail(`no node_api.h found for Node ${process.version}`);
const compiler = process.env.CC ?? 'cc';
mkdirSync(dirname(output), { recursive: true });
const temporary = `${output}.${process.pid}.tmp`;
const args = [
  '-O2',
  '-std=c11',
  '-Wall',
  '-Wextra',
  '-fPIC',
  '-shared',
  '-fvisibility=hidden',
  `-I${include}`,
  // OpenSSL headers: Node's own first (matching the library the symbols resolve to), then the system's.
  ...(existsSync(join(include, 'openssl', 'evp.h')) ? [] : ['-I/usr/include']),
  source,
  '-o',
  temporary,
];
try {
  execFileSync(compiler, args, { stdio: ['ignore', 'inherit', 'pipe'] });
  renameSync(temporary, output); // atomic: a running server never loads a half-written file
} catch (error) {
  rmSync(temporary, { force: true });
  const stderr = error?.stderr?.toString().trim();
  fail(stderr ? `${compiler} failed:\n${stderr}` : String(error?.message ?? error));
}
console.log(`parley: built the native SFU datapath (${output})`);
