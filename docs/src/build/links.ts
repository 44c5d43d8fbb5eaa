/**
 * Checks the links of the built guide pages: every relative link must name a file of the site, and every
 * `#anchor` on a guide page must name an element id of that page. The API reference routes its anchors
 * in the browser (Redoc), so links into it are checked for the file only; the browser test checks the
 * operations it lists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** A link that does not resolve. */
export interface BrokenLink {
  /** The page the link is on, relative to the site root. */
  page: string;
  href: string;
  reason: string;
}

/** The `href` values of an HTML page. */
export function hrefsOf(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((match) => decodeHtml(match[1] ?? ''));
}

/** The element ids of an HTML page. */
export function idsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((match) => decodeHtml(match[1] ?? '')));
}

function decodeHtml(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** Links that leave the site (and are not checked). */
const isExternal = (href: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//');

/**
 * Checks the links of `pages` (paths relative to `siteRoot`).
 *
 * @returns the broken links; empty when all resolve.
 */
export function findBrokenLinks(siteRoot: string, pages: readonly string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const idCache = new Map<string, Set<string>>();
  const idsIn = (file: string): Set<string> => {
    let ids = idCache.get(file);
    if (!ids) {
      ids = idsOf(readFileSync(join(siteRoot, file), 'utf8'));
      idCache.set(file, ids);
    }
    return ids;
  };
  for (const page of pages) {
    const html = readFileSync(join(siteRoot, page), 'utf8');
    for (const href of hrefsOf(html)) {
      if (isExternal(href)) continue;
      const [pathPart = '', anchor] = href.split('#', 2);
      const target = pathPart === '' ? page : normalize(join(dirname(page), pathPart.split('?')[0] ?? ''));
      if (target.startsWith('..') || relative(siteRoot, join(siteRoot, target)).startsWith('..')) {
        broken.push({ page, href, reason: 'points outside the site' });
        continue;
      }
      const file = target.endsWith('/') || target === '.' ? join(target, 'index.html') : target;
      if (!existsSync(join(siteRoot, file))) {
        broken.push({ page, href, reason: `${file} does not exist` });
        continue;
      }
      // Anchors are checked on guide pages only (the references route their anchors in the browser).
      if (
        anchor &&
        file.endsWith('.html') &&
        !file.includes('/') &&
        !idsIn(file).has(decodeURIComponent(anchor))
      ) {
        broken.push({ page, href, reason: `${file} has no element with id "${anchor}"` });
      }
    }
  }
  return broken;
}
