/**
 * Generated parts of the guides. A guide line of the form `<!-- include: NAME ARGS -->` is replaced, at
 * build time, by Markdown generated from the code it describes, so those parts cannot drift:
 *
 * - `errors` — the reference server's error catalogue (`parley errors`, from `src/http/errors.ts`);
 * - `config` — the server's options (`parley config`, from `src/config.ts`);
 * - `operations` — every operation of the spec with its SDK method and whether the reference server
 *   implements it (asked of a running server, see `server-probe.ts`);
 * - `status TAG[,TAG…]` — one sentence on how much of those API groups the reference server implements;
 * - `benchmarks` — the result files `pnpm bench` wrote, or a note that there are none yet.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { OperationStatus } from './server-probe.js';
import { parleyBin } from './server-probe.js';
import type { SpecOperation } from './spec.js';

/** What the include generators read. */
export interface IncludeContext {
  /** The repository root. */
  repoRoot: string;
  operations: readonly SpecOperation[];
  /** The probe's answer per operationId. */
  statuses: ReadonlyMap<string, OperationStatus>;
  /** operationId → `resource.method` of the server SDK, or why it has none. */
  sdkMethods: Readonly<Record<string, string | { excluded: string }>>;
  /** The link to an operation in the API reference, relative to the site root. */
  apiLink(operation: SpecOperation): string;
}

/** Thrown for an include a guide names that does not exist, or with bad arguments. */
export class IncludeError extends Error {
  override readonly name = 'IncludeError';
}

const INCLUDE_LINE = /^<!-- include: ([a-z-]+)(?: ([^>]*?))? -->$/gm;

/** Runs the server's `parley` command and returns what it printed. */
function parley(args: readonly string[]): string {
  return execFileSync(process.execPath, [parleyBin(), ...args], { encoding: 'utf8' }).trim();
}

function operationsTable(context: IncludeContext): string {
  const rows = context.operations.map((operation) => {
    const sdk = context.sdkMethods[operation.operationId];
    const sdkCell = sdk === undefined ? '—' : typeof sdk === 'string' ? `\`${sdk}\`` : `— (${sdk.excluded})`;
    const status = context.statuses.get(operation.operationId);
    const serverCell = status === undefined ? 'not probed' : status.implemented ? 'yes' : 'not yet (501)';
    return `| ${operation.tag} | [\`${operation.operationId}\`](${context.apiLink(operation)}) | \`${operation.method.toUpperCase()} ${operation.path}\` | ${sdkCell} | ${serverCell} |`;
  });
  const implemented = context.operations.filter(
    (o) => context.statuses.get(o.operationId)?.implemented,
  ).length;
  return [
    `The reference server implements **${implemented} of the ${context.operations.length}** operations of the API today.`,
    '',
    '| Group | Operation | Method and path | Server SDK method | Reference server |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function statusSentence(context: IncludeContext, argument: string | undefined): string {
  const tags = (argument ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (tags.length === 0)
    throw new IncludeError('"status" needs one or more API tags, e.g. "status Archives"');
  const operations = context.operations.filter((operation) => tags.includes(operation.tag));
  const unknown = tags.filter((tag) => !context.operations.some((operation) => operation.tag === tag));
  if (unknown.length > 0) throw new IncludeError(`"status" names unknown API tags: ${unknown.join(', ')}`);
  const missing = operations.filter((operation) => !context.statuses.get(operation.operationId)?.implemented);
  const group = tags.join(', ');
  if (missing.length === 0) return `> **Status:** the reference server implements every ${group} operation.`;
  if (missing.length === operations.length) {
    return `> **Status:** not implemented yet in the reference server: its ${group} operations answer \`501 Not Implemented\`. The API, the server SDK and this guide describe the contract it will follow.`;
  }
  const names = missing.map((operation) => `\`${operation.operationId}\``).join(', ');
  return `> **Status:** the reference server implements the ${group} operations except ${names}, which answer \`501 Not Implemented\` for now.`;
}

/** The files `pnpm bench` writes, relative to the repository root, in a stable order. */
export function benchmarkFiles(repoRoot: string): string[] {
  const packageDirs = [
    'reference-server',
    ...(existsSync(join(repoRoot, 'packages'))
      ? readdirSync(join(repoRoot, 'packages')).map((d) => `packages/${d}`)
      : []),
  ];
  const files: string[] = [];
  for (const dir of packageDirs) {
    const bench = join(repoRoot, dir, 'bench');
    if (existsSync(join(bench, 'results.md'))) files.push(join(bench, 'results.md'));
    const results = join(bench, 'results');
    if (existsSync(results)) {
      for (const name of readdirSync(results).sort())
        if (name.endsWith('.md')) files.push(join(results, name));
    }
  }
  return files.map((file) => relative(repoRoot, file));
}

/** Where the site keeps the files a benchmark result links to (its JSON report, its plot). */
export function benchmarkAssetPath(resultFile: string): string {
  return `assets/bench/${dirname(resultFile).replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/**
 * Points the relative links of an embedded result file (`[report](sfu.json)`, `![plot](sfu.svg)`) at the
 * copies {@link benchmarkAssetPath} names, so they resolve from the benchmarks page.
 */
function rebaseLinks(markdown: string, resultFile: string): string {
  const base = benchmarkAssetPath(resultFile);
  return markdown.replace(/\]\(([^()\s#:]+)\)/g, (_match, target: string) =>
    target.startsWith('/') ? `](${target})` : `](${base}/${target})`,
  );
}

function benchmarks(context: IncludeContext): string {
  const files = benchmarkFiles(context.repoRoot);
  if (files.length === 0) {
    return 'No benchmark results have been recorded yet. Run `pnpm bench` at the repository root, then rebuild the docs.';
  }
  return files
    .map((file) => {
      // Demote the file's headings by one level so each file sits under its own "##" section.
      const body = rebaseLinks(readFileSync(join(context.repoRoot, file), 'utf8'), file)
        .replace(/^(#{1,5}) /gm, '$1# ')
        .trim();
      return `${body}\n\n_Source: \`${file}\`._`;
    })
    .join('\n\n');
}

/**
 * Replaces every include line of a guide with its generated Markdown.
 *
 * @throws {IncludeError} naming the guide and the include when it is unknown or misused.
 */
export function expandIncludes(source: string, guide: string, context: IncludeContext): string {
  return source.replace(INCLUDE_LINE, (_line, name: string, argument: string | undefined) => {
    try {
      switch (name) {
        case 'errors':
          return parley(['errors']);
        case 'config':
          return parley(['config']);
        case 'operations':
          return operationsTable(context);
        case 'status':
          return statusSentence(context, argument);
        case 'benchmarks':
          return benchmarks(context);
        default:
          throw new IncludeError(`unknown include "${name}"`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new IncludeError(`guides/${guide}: ${message}`, { cause: error });
    }
  });
}
