/**
 * The generated parts of the package README (the option table and the error catalogue), so the README is
 * derived from the code that parses options and sends errors. `pnpm --filter @parley/reference-server
 * readme` rewrites them; a test fails when the README is out of date.
 */
import { configOptionsMarkdown } from './config.js';
import { errorCatalogueMarkdown } from './http/errors.js';

/** The generated sections, by marker name (`<!-- name:start -->` … `<!-- name:end -->`). */
export function readmeSections(): Record<string, string> {
  return { config: configOptionsMarkdown(), errors: errorCatalogueMarkdown() };
}

/** Replaces every generated section of `readme` with its current content. Throws when a marker is missing. */
export function renderReadme(readme: string): string {
  let text = readme;
  for (const [name, content] of Object.entries(readmeSections())) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from === -1 || to === -1 || to < from) throw new Error(`README lacks the ${start} … ${end} markers`);
    text = `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
  }
  return text;
}
