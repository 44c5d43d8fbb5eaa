/**
 * The shared page layout of the guides: header with search, navigation, the article, and the list of its
 * sections. Every URL is relative, so the site works from any base path; the page loads nothing but its
 * own files (the Content-Security-Policy says so, and the browser test holds the site to it).
 */
import type { Heading } from './markdown.js';
import { type NavSection, pageOf } from './navigation.js';

/** What {@link renderPage} needs for one guide. */
export interface PageInput {
  /** The guide file, e.g. `quick-start.md`. */
  file: string;
  title: string;
  /** The rendered Markdown. */
  html: string;
  headings: readonly Heading[];
  navigation: readonly NavSection[];
}

/** The site name, shown in the header and in every page title. */
export const SITE_NAME = 'Parley';

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function renderNavigation(navigation: readonly NavSection[], currentFile: string): string {
  const sections = navigation.map((section) => {
    const items = section.items.map((item) => {
      const href = item.kind === 'guide' ? pageOf(item.file) : item.href;
      const current = item.kind === 'guide' && item.file === currentFile;
      return `<li><a href="${escapeHtml(href)}"${current ? ' aria-current="page"' : ''}>${escapeHtml(item.label)}</a></li>`;
    });
    return `<h2>${escapeHtml(section.title)}</h2><ul>${items.join('')}</ul>`;
  });
  return `<nav class="site-nav" aria-label="Documentation">${sections.join('')}</nav>`;
}

function renderContents(headings: readonly Heading[]): string {
  const top = headings.filter((heading) => heading.level === 2);
  if (top.length < 2) return '';
  const items = top.map(
    (heading) => `<li><a href="#${escapeHtml(heading.id)}">${escapeHtml(heading.text)}</a></li>`,
  );
  return `<aside class="page-contents" aria-label="On this page"><h2>On this page</h2><ul>${items.join('')}</ul></aside>`;
}

/** Renders a complete HTML page for one guide. */
export function renderPage(input: PageInput): string {
  const pageTitle =
    input.file === 'index.md' ? `${SITE_NAME} documentation` : `${input.title} · ${SITE_NAME}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'">
<title>${escapeHtml(pageTitle)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/site.css">
<script type="module" src="assets/search.js"></script>
</head>
<body>
<header class="site-header">
<a class="site-name" href="index.html">${SITE_NAME}</a>
<div class="search" role="search">
<label for="search-input" class="visually-hidden">Search the documentation</label>
<input id="search-input" type="search" placeholder="Search the docs ( / )" autocomplete="off" aria-controls="search-results">
<ul id="search-results" class="search-results" hidden></ul>
</div>
</header>
<div class="site-body">
${renderNavigation(input.navigation, input.file)}
<main id="content"><article class="doc">
${input.html}</article></main>
${renderContents(input.headings)}
</div>
</body>
</html>
`;
}
