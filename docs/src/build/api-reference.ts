/**
 * The REST API reference: one self-contained HTML page rendered by Redoc from the bundled spec
 * (`redocly build-docs --inlineBundle`, so the page needs no CDN for its scripts).
 *
 * Redoc's sidebar shows Redocly's logo from their CDN. An offline page cannot load it and the browser
 * logs an error, so the build writes the logo's place as a small local SVG and points the page at it;
 * the attribution link to Redocly stays.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from './paths.js';

/** The CDN images the Redoc bundle references, and the local files that replace them. */
const REMOTE_LOGOS: Readonly<Record<string, string>> = {
  'https://cdn.redoc.ly/redoc/logo-mini-full.svg': 'redocly-logo-full.svg',
  'https://cdn.redoc.ly/redoc/logo-mini.svg': 'redocly-logo.svg',
};

const logoSvg = (text: string, width: number): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20"><text x="0" y="15" font-family="sans-serif" font-size="13" fill="#6b7280">${text}</text></svg>\n`;

/** The `redocly` command line of `@redocly/cli`. */
function redoclyBin(): string {
  return join(packageDir('@redocly/cli'), 'bin', 'cli.js');
}

/**
 * Builds the API reference page into `outDir/index.html`.
 *
 * @returns the page's file name.
 */
export function buildApiReference(specFile: string, outDir: string): string {
  const page = join(outDir, 'index.html');
  execFileSync(
    process.execPath,
    [
      redoclyBin(),
      'build-docs',
      specFile,
      '--inlineBundle',
      '--title',
      'Parley REST API reference',
      '-o',
      page,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  let html = readFileSync(page, 'utf8');
  for (const [url, file] of Object.entries(REMOTE_LOGOS)) {
    if (!html.includes(url)) continue;
    html = html.replaceAll(url, file);
    const full = file.includes('full');
    writeFileSync(join(outDir, file), logoSvg(full ? 'Redocly' : 'R', full ? 60 : 20));
  }
  writeFileSync(page, html);
  return page;
}
