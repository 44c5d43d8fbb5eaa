import { describe, expect, it } from 'vitest';
import { search, snippet, words } from './search.js';

const entries = [
  {
    href: 'a.html',
    page: 'Recording',
    title: 'Record a session',
    text: 'Archives record a session as composed video.',
  },
  {
    href: 'b.html',
    page: 'Webhooks',
    title: 'Verify the signature',
    text: 'Archive status webhooks are signed.',
  },
  { href: 'c.html', page: 'Concepts', title: 'Tokens', text: 'A token lets a client join.' },
];

describe('search', () => {
  it('finds every section with all the words, as word prefixes, best title match first', () => {
    expect(search(entries, 'archive').map((hit) => hit.entry.href)).toEqual(['a.html', 'b.html']);
    expect(search(entries, 'ARCHIVE signed').map((hit) => hit.entry.href)).toEqual(['b.html']);
    expect(search(entries, 'token join').map((hit) => hit.entry.href)).toEqual(['c.html']);
  });

  it('finds nothing for an empty query or unknown words', () => {
    expect(search(entries, '  ')).toEqual([]);
    expect(search(entries, 'zzz')).toEqual([]);
  });

  it('limits the number of hits', () => {
    expect(search(entries, 'a', 1)).toHaveLength(1);
  });

  it('splits words on punctuation and shows text around the first hit', () => {
    expect(words('POST /v2/project')).toEqual(['post', 'v2', 'project']);
    expect(snippet(`${'x'.repeat(200)}needle${'y'.repeat(200)}`, 'needle', 10)).toBe(
      `…${'x'.repeat(10)}needle${'y'.repeat(4)}…`,
    );
  });
});
