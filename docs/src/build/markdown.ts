/**
 * Renders one guide from Markdown to an HTML fragment, and reports what the layout and the search index
 * need: the title (the first `#` heading) and the `##`/`###` headings with their anchors.
 *
 * Conventions the guides rely on:
 * - links to `other.md` or `other.md#part` become `other.html…`, so guides link to each other by file name
 *   and the same links work on GitHub;
 * - headings get stable, unique ids (GitHub-style slugs), so `page.html#heading` links keep working;
 * - fenced code keeps its info string as `data-lang`, and `ts browser` fences are labelled as browser
 *   code (they are type-checked with the DOM and OpenTok.js types, see `src/samples/`).
 * Raw HTML in the Markdown is not allowed: guides are text, and the layout owns the markup.
 */
import MarkdownIt, { type MarkdownIt as MarkdownItInstance, type Token } from 'markdown-it';

/** One `##` or `###` heading of a page. */
export interface Heading {
  level: 2 | 3;
  id: string;
  text: string;
}

/** A rendered guide. */
export interface RenderedPage {
  /** The text of the first `#` heading. */
  title: string;
  /** The HTML fragment (the article body). */
  html: string;
  /** The `##` and `###` headings, in order. */
  headings: Heading[];
}

/** Thrown when a guide breaks a convention the site depends on; the message names the guide. */
export class GuideFormatError extends Error {
  override readonly name = 'GuideFormatError';
}

/** The GitHub-style slug of a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Rewrites a guide-relative link to its page on the site; other links are returned unchanged. */
export function rewriteLink(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//') || href.startsWith('#')) return href;
  return href.replace(/^([^#?]*?)\.md(?=$|[#?])/, '$1.html');
}

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function createMarkdown(): MarkdownItInstance {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

  md.renderer.rules.fence = (tokens, index) => {
    const token = tokens[index];
    if (!token) return '';
    const info = token.info.trim();
    const lang = info.split(/\s+/)[0] ?? '';
    const label = info === 'ts browser' ? 'TypeScript (browser)' : lang;
    const attrs = lang ? ` data-lang="${escapeHtml(label)}"` : '';
    const klass = lang ? ` class="language-${escapeHtml(lang)}"` : '';
    return `<pre${attrs}><code${klass}>${escapeHtml(token.content)}</code></pre>\n`;
  };

  const defaultLinkOpen =
    md.renderer.rules.link_open ??
    ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
  md.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const token = tokens[index];
    const href = token?.attrGet('href');
    if (token && typeof href === 'string' && href) {
      token.attrSet('href', rewriteLink(href));
      if (/^https?:/i.test(href)) token.attrSet('rel', 'noopener');
    }
    return defaultLinkOpen(tokens, index, options, env, self);
  };

  // Column alignment becomes a class: the site's Content-Security-Policy allows no inline styles.
  for (const rule of ['th_open', 'td_open'] as const) {
    md.renderer.rules[rule] = (tokens, index, options, _env, self) => {
      const token = tokens[index];
      const align = String(token?.attrGet('style') ?? '').match(/text-align:(left|right|center)/)?.[1];
      if (token && align) {
        token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
        token.attrSet('class', `align-${align}`);
      }
      return self.renderToken(tokens, index, options);
    };
  }

  // Wrap tables so wide ones scroll instead of stretching the page.
  md.renderer.rules.table_open = () => '<div class="table-wrap"><table>\n';
  md.renderer.rules.table_close = () => '</table></div>\n';
  return md;
}

const markdown = createMarkdown();

/**
 * Renders a guide. `name` (the file name) is only used in error messages.
 *
 * @throws {GuideFormatError} when the guide has no `#` title or more than one.
 */
export function renderMarkdown(source: string, name: string): RenderedPage {
  const tokens = markdown.parse(source, {});
  const headings: Heading[] = [];
  const used = new Map<string, number>();
  let title: string | null = null;

  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i];
    const inline = tokens[i + 1];
    if (open?.type !== 'heading_open' || !inline) continue;
    const text = inline.children?.map((child: Token) => child.content).join('') ?? inline.content;
    const level = Number(open.tag.slice(1));
    if (level === 1) {
      if (title !== null) throw new GuideFormatError(`${name}: more than one "# " title`);
      title = text;
    }
    const base = slugify(text) || 'section';
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    const id = seen === 0 ? base : `${base}-${seen}`;
    open.attrSet('id', id);
    if (level === 2 || level === 3) headings.push({ level, id, text });
  }
  if (title === null)
    throw new GuideFormatError(`${name}: the guide needs a "# " title on its first heading`);
  return { title, html: markdown.renderer.render(tokens, markdown.options, {}), headings };
}
