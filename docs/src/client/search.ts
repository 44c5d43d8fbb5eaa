/**
 * The site's search box (runs in the browser; the build compiles it to `assets/search.js`). It loads
 * `search-index.json` on first use and ranks sections by the query's words: every word must occur (as a
 * word prefix) in a section's title or text; title hits weigh more. No server and no CDN: the whole index
 * is a static file next to the pages.
 */

/** One section of the index (see `src/build/search-index.ts`). */
interface Entry {
  href: string;
  page: string;
  title: string;
  text: string;
}

/** A ranked hit. */
export interface Hit {
  entry: Entry;
  score: number;
}

/** The words of a query or a text: lowercase letters and digits. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Ranks `entries` for `query`; at most `limit` hits, best first. */
export function search(entries: readonly Entry[], query: string, limit = 12): Hit[] {
  const terms = [...new Set(words(query))];
  if (terms.length === 0) return [];
  const hits: Hit[] = [];
  for (const entry of entries) {
    const titleWords = words(`${entry.page} ${entry.title}`);
    const textWords = words(entry.text);
    let score = 0;
    let all = true;
    for (const term of terms) {
      const inTitle = titleWords.filter((word) => word.startsWith(term)).length;
      const inText = textWords.filter((word) => word.startsWith(term)).length;
      if (inTitle + inText === 0) {
        all = false;
        break;
      }
      score += inTitle * 10 + Math.min(inText, 10);
    }
    if (all) hits.push({ entry, score });
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** The part of `text` around the first query word, for the result list. */
export function snippet(text: string, query: string, radius = 80): string {
  const lower = text.toLowerCase();
  const positions = words(query)
    .map((term) => lower.indexOf(term))
    .filter((position) => position >= 0);
  const at = positions.length > 0 ? Math.min(...positions) : 0;
  const start = Math.max(0, at - radius);
  const end = Math.min(text.length, at + radius);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

function start(): void {
  const input = document.getElementById('search-input');
  const list = document.getElementById('search-results');
  if (!(input instanceof HTMLInputElement) || !(list instanceof HTMLUListElement)) return;
  let index: Promise<Entry[]> | null = null;
  const load = (): Promise<Entry[]> => {
    index ??= fetch('search-index.json')
      .then((response) => {
        if (!response.ok) throw new Error(`search-index.json: HTTP ${response.status}`);
        return response.json() as Promise<{ entries: Entry[] }>;
      })
      .then((document) => document.entries);
    return index;
  };

  const render = async (): Promise<void> => {
    const query = input.value.trim();
    if (!query) {
      list.hidden = true;
      list.replaceChildren();
      return;
    }
    const hits = search(await load(), query);
    if (input.value.trim() !== query) return; // a newer keystroke has rendered already
    const items = hits.map(({ entry }) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = entry.href;
      const title = document.createElement('strong');
      title.textContent = entry.title;
      const page = document.createElement('span');
      page.className = 'search-page';
      page.textContent = entry.page;
      const text = document.createElement('span');
      text.className = 'search-snippet';
      text.textContent = snippet(entry.text, query);
      link.append(title, page, text);
      item.append(link);
      return item;
    });
    if (items.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'search-empty';
      empty.textContent = `No results for “${query}”.`;
      items.push(empty);
    }
    list.replaceChildren(...items);
    list.hidden = false;
  };

  input.addEventListener('focus', () => void load());
  input.addEventListener('input', () => void render());
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      input.value = '';
      void render();
    } else if (event.key === 'Enter') {
      const first = list.querySelector('a');
      if (first) first.click();
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    }
  });
}

if (typeof document !== 'undefined') start();
