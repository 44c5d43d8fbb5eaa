/**
 * Builds the documentation site into one static folder:
 *
 * - `*.html` — the guides (`guides/*.md`), with generated parts filled in (see `includes.ts`);
 * - `search-index.json`, `assets/` — the client-side search and the stylesheet;
 * - `api/index.html` — the REST API reference (Redoc, from the bundled spec);
 * - `sdk/` — the server SDK reference (TypeDoc, from the SDK's TSDoc).
 *
 * The build fails on anything that would publish a wrong or broken page: a guide missing from the
 * navigation, an unknown include, a broken internal link, a TypeDoc error.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { buildApiReference } from './api-reference.js';
import { benchmarkAssetPath, benchmarkFiles, expandIncludes } from './includes.js';
import { renderPage } from './layout.js';
import { findBrokenLinks } from './links.js';
import { renderMarkdown } from './markdown.js';
import { API_REFERENCE_PAGE, guideFiles, NAVIGATION, navigationProblems, pageOf } from './navigation.js';
import { DOCS_ROOT, GUIDES_DIR, packageDir, REPO_ROOT } from './paths.js';
import { buildSdkReference } from './sdk-reference.js';
import { operationEntries, type SearchEntry, sectionsOf } from './search-index.js';
import { type OperationStatus, probeOperations } from './server-probe.js';
import { listOperations, listWebhooks, loadSpec, type SpecOperation, specFile } from './spec.js';

/** Options of {@link buildSite}. */
export interface BuildOptions {
  /** The folder to write; it is emptied first. */
  outDir: string;
  /** Progress messages. Default: none. */
  log?: (message: string) => void;
}

/** What was built, for the tests. */
export interface BuildResult {
  /** The guide pages, relative to `outDir`, in navigation order. */
  pages: string[];
  /** The operations and webhooks of the spec (the API reference must list every one). */
  operations: SpecOperation[];
  /** The probe's answer per operation. */
  statuses: OperationStatus[];
}

/** The API reference's anchor of an operation: Redoc routes `#/<tag slug>/<operationId in lowercase>`. */
export function apiReferenceHref(operation: Pick<SpecOperation, 'tag' | 'operationId'>): string {
  const tag = operation.tag.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `${API_REFERENCE_PAGE}#/${tag}/${operation.operationId.toLowerCase()}`;
}

/** The server SDK's map of operationId to method, read from its source. */
async function sdkOperationMap(): Promise<Record<string, string | { excluded: string }>> {
  const module = (await import(join(packageDir('@parley/server-sdk'), 'src', 'operations.ts'))) as {
    OPERATION_MAP: Record<string, string | { excluded: string }>;
  };
  return module.OPERATION_MAP;
}

/** A 1×1 transparent PNG. */
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * `favicon.ico` with one PNG image. Browsers ask for it on pages that name no icon (the API and SDK
 * references); without it every such page logs a 404.
 */
export function faviconIco(png: Buffer = PIXEL_PNG): Buffer {
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(1, 6); // width
  header.writeUInt8(1, 7); // height
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(22, 18); // offset of the image
  return Buffer.concat([header, png]);
}

function writeAssets(outDir: string): void {
  writeFileSync(join(outDir, 'favicon.ico'), faviconIco());
  const assets = join(outDir, 'assets');
  mkdirSync(assets, { recursive: true });
  copyFileSync(join(DOCS_ROOT, 'src', 'client', 'site.css'), join(assets, 'site.css'));
  const source = readFileSync(join(DOCS_ROOT, 'src', 'client', 'search.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
    fileName: 'search.ts',
  });
  writeFileSync(join(assets, 'search.js'), outputText);
}

/** Copies the files benchmark results link to (JSON reports, plots) next to the benchmarks page. */
function copyBenchmarkAssets(outDir: string): void {
  for (const file of benchmarkFiles(REPO_ROOT)) {
    const from = dirname(join(REPO_ROOT, file));
    const to = join(outDir, benchmarkAssetPath(file));
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) {
      if (/\.(json|svg|png)$/.test(name)) copyFileSync(join(from, name), join(to, name));
    }
  }
}

/** Builds the whole site. */
export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? (() => {});
  const { outDir } = options;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const onDisk = readdirSync(GUIDES_DIR).filter((name) => name.endsWith('.md'));
  const problems = navigationProblems(onDisk);
  if (problems.length > 0) throw new Error(`The guides and the navigation disagree:\n${problems.join('\n')}`);

  const spec = loadSpec();
  const operations = listOperations(spec);
  const webhooks = listWebhooks(spec);

  log('asking a reference server which operations it implements');
  const statuses = await probeOperations(operations);
  const context = {
    repoRoot: REPO_ROOT,
    operations,
    statuses: new Map(statuses.map((status) => [status.operationId, status])),
    sdkMethods: await sdkOperationMap(),
    apiLink: apiReferenceHref,
  };

  log('rendering the guides');
  const entries: SearchEntry[] = [];
  const pages: string[] = [];
  for (const file of guideFiles()) {
    const source = expandIncludes(readFileSync(join(GUIDES_DIR, file), 'utf8'), file, context);
    const rendered = renderMarkdown(source, file);
    const page = pageOf(file);
    writeFileSync(join(outDir, page), renderPage({ file, ...rendered, navigation: NAVIGATION }));
    entries.push(...sectionsOf(page, rendered.title, rendered.html));
    pages.push(page);
  }
  const apiEntries = operationEntries(
    [...operations, ...webhooks].map((operation) => ({ ...operation, href: apiReferenceHref(operation) })),
  );
  writeFileSync(join(outDir, 'search-index.json'), JSON.stringify({ entries: [...entries, ...apiEntries] }));
  writeAssets(outDir);
  copyBenchmarkAssets(outDir);

  log('rendering the API reference (Redoc)');
  mkdirSync(join(outDir, 'api'), { recursive: true });
  buildApiReference(specFile(), join(outDir, 'api'));

  log('rendering the server SDK reference (TypeDoc)');
  await buildSdkReference(join(outDir, 'sdk'));

  const broken = findBrokenLinks(outDir, pages);
  if (broken.length > 0) {
    throw new Error(`Broken links:\n${broken.map((b) => `${b.page}: ${b.href} (${b.reason})`).join('\n')}`);
  }
  return { pages, operations: [...operations, ...webhooks], statuses };
}
