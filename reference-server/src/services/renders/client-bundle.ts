/**
 * `@parley/client`, bundled from its source by esbuild into one classic script that defines the global
 * {@link CLIENT_GLOBAL}, for injection into rendered pages. Built on the first render and kept in memory,
 * so servers that never render never pay for it.
 */
import { fileURLToPath } from 'node:url';
import { RenderError } from './errors.js';

/** The global the bundle defines in the rendered page (unlikely to clash with the page's own). */
export const CLIENT_GLOBAL = '__parleyRenderClient';

/** The client's entry point, through the workspace dependency. */
const CLIENT_ENTRY = fileURLToPath(
  new URL('../../../node_modules/@parley/client/src/index.ts', import.meta.url),
);

let cached: Promise<string> | null = null;

/** The bundle's text. Throws `RENDERER_UNAVAILABLE` when it cannot be built. */
export function clientBundle(): Promise<string> {
  if (!cached) {
    cached = build();
    // A failure (esbuild missing) is not cached: it may be fixed without a restart.
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}

async function build(): Promise<string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new RenderError(
      'RENDERER_UNAVAILABLE',
      'Experience Composer renders need esbuild to bundle the browser client; install the workspace with `pnpm install`',
      { cause: error },
    );
  }
  try {
    const result = await esbuild.build({
      entryPoints: [CLIENT_ENTRY],
      bundle: true,
      write: false,
      // A classic script: it runs in any page, whatever its own module setup.
      format: 'iife',
      globalName: CLIENT_GLOBAL,
      platform: 'browser',
      target: ['es2022', 'chrome111'],
      legalComments: 'none',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no output');
    return output.text;
  } catch (error) {
    throw new RenderError(
      'RENDERER_UNAVAILABLE',
      `Bundling the browser client for renders failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
