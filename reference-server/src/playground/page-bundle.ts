/**
 * The playground page's script: `page/main.ts` and `@parley/client` (from its source, through the
 * workspace dependency — see `page/tsconfig.json`) bundled by esbuild into one browser ES module. It is
 * built on the first request and kept in memory, so `pnpm start` on a fresh clone needs no build step
 * and servers that never open the playground never pay for it.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

/** The page's static files, read from `page/`. */
export interface PageAssets {
  html: string;
  css: string;
  script: string;
}

/** Thrown when the bundle cannot be built (esbuild missing, a compile error). */
export class PageBuildError extends Error {
  override readonly name = 'PageBuildError';
}

/** Reads the HTML and CSS and bundles the script. */
export async function buildPageAssets(): Promise<PageAssets> {
  const [html, css, script] = await Promise.all([
    readFile(`${PAGE_DIR}index.html`, 'utf8'),
    readFile(`${PAGE_DIR}styles.css`, 'utf8'),
    bundleScript(),
  ]);
  return { html, css, script };
}

async function bundleScript(): Promise<string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new PageBuildError(
      'The playground needs esbuild to bundle its page; install the workspace with `pnpm install` (dev dependencies included)',
      { cause: error },
    );
  }
  try {
    const result = await esbuild.build({
      entryPoints: [`${PAGE_DIR}main.ts`],
      // The tsconfig maps `@parley/client` to the client's source, so no client build is needed.
      tsconfig: `${PAGE_DIR}tsconfig.json`,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome111', 'firefox117', 'safari16'],
      legalComments: 'none',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new PageBuildError('esbuild produced no output for the playground page');
    return output.text;
  } catch (error) {
    if (error instanceof PageBuildError) throw error;
    throw new PageBuildError(`Bundling the playground page failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
