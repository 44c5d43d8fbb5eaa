/**
 * The search index: one entry per section of every guide (the text under a heading, up to the next
 * `##`/`###`), plus one per operation of the API reference, written to `search-index.json` and searched
 * in the browser by `src/client/search.ts`. Sections rather than pages, so a hit links to the heading
 * that answers the query.
 */

/** One searchable section. The browser script reads exactly these fields. */
export interface SearchEntry {
  /** The page and anchor to open, relative to the site root (`webhooks.html#verify-the-signature`). */
  href: string;
  /** The page the section is on. */
  page: string;
  /** The section heading (the page title for the text above the first heading). */
  title: string;
  /** The section's text, whitespace collapsed. */
  text: string;
}

/** The document written to `search-index.json`. */
export interface SearchIndex {
  entries: SearchEntry[];
}

const decodeEntities = (text: string): string =>
  text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

/** The visible text of an HTML fragment. */
export function textOf(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Splits a rendered guide into sections at its `<h2>` and `<h3>` headings (which carry ids, see
 * `markdown.ts`).
 */
export function sectionsOf(page: string, pageTitle: string, html: string): SearchEntry[] {
  const entries: SearchEntry[] = [];
  const heading = /<h([23]) id="([^"]+)">([\s\S]*?)<\/h\1>/g;
  let cursor = 0;
  let current = { href: page, title: pageTitle };
  const flush = (end: number): void => {
    const text = textOf(html.slice(cursor, end).replace(/<h1[^>]*>[\s\S]*?<\/h1>/, ''));
    if (text) entries.push({ href: current.href, page: pageTitle, title: current.title, text });
  };
  for (let match = heading.exec(html); match; match = heading.exec(html)) {
    flush(match.index);
    current = { href: `${page}#${match[2]}`, title: textOf(match[3] ?? '') };
    cursor = match.index + match[0].length;
  }
  flush(html.length);
  return entries;
}

/** An operation of the spec, with its place in the API reference. */
export interface OperationEntryInput {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  /** Its link in the API reference, relative to the site root. */
  href: string;
}

/** One index entry per API operation, linking to its place in the API reference. */
export function operationEntries(operations: readonly OperationEntryInput[]): SearchEntry[] {
  return operations.map((operation) => ({
    href: operation.href,
    page: 'REST API reference',
    title: `${operation.summary} (${operation.method.toUpperCase()} ${operation.path})`,
    text: `${operation.operationId}. ${operation.description}`.replace(/\s+/g, ' ').trim(),
  }));
}
