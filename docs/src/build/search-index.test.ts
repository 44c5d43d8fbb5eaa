import { describe, expect, it } from 'vitest';
import { operationEntries, sectionsOf, textOf } from './search-index.js';

describe('search index', () => {
  it('splits a page into its sections', () => {
    const html =
      '<h1 id="t">Title</h1><p>Intro &amp; more</p><h2 id="a">Part A</h2><p>alpha</p><h3 id="b">B</h3><p>beta</p>';
    expect(sectionsOf('page.html', 'Title', html)).toEqual([
      { href: 'page.html', page: 'Title', title: 'Title', text: 'Intro & more' },
      { href: 'page.html#a', page: 'Title', title: 'Part A', text: 'alpha' },
      { href: 'page.html#b', page: 'Title', title: 'B', text: 'beta' },
    ]);
  });

  it('strips markup and collapses whitespace', () => {
    expect(textOf('<p>a\n  <code>b</code></p>')).toBe('a b');
  });

  it('makes one entry per operation, linking into the API reference', () => {
    const [entry] = operationEntries([
      {
        operationId: 'startArchive',
        method: 'post',
        path: '/v2/project/{projectId}/archive',
        summary: 'Start an archive',
        description: 'Starts\n recording.',
        href: 'api/index.html#/archives/startarchive',
      },
    ]);
    expect(entry).toEqual({
      href: 'api/index.html#/archives/startarchive',
      page: 'REST API reference',
      title: 'Start an archive (POST /v2/project/{projectId}/archive)',
      text: 'startArchive. Starts recording.',
    });
  });
});
