import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBrokenLinks } from './links.js';

const root = mkdtempSync(join(tmpdir(), 'parley-links-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findBrokenLinks', () => {
  it('reports missing pages, missing anchors and links out of the site; ignores external links', () => {
    mkdirSync(join(root, 'api'));
    writeFileSync(join(root, 'api', 'index.html'), '');
    writeFileSync(join(root, 'b.html'), '<h2 id="there">x</h2>');
    writeFileSync(
      join(root, 'a.html'),
      [
        '<a href="b.html#there">ok</a>',
        '<a href="api/index.html#/archives/startarchive">ok, routed by Redoc</a>',
        '<a href="https://example.com/x">external</a>',
        '<a href="#top">missing anchor</a>',
        '<a href="b.html#nowhere">missing anchor</a>',
        '<a href="c.html">missing page</a>',
        '<a href="../outside.html">outside</a>',
      ].join('\n'),
    );
    expect(findBrokenLinks(root, ['a.html', 'b.html'])).toEqual([
      { page: 'a.html', href: '#top', reason: 'a.html has no element with id "top"' },
      { page: 'a.html', href: 'b.html#nowhere', reason: 'b.html has no element with id "nowhere"' },
      { page: 'a.html', href: 'c.html', reason: 'c.html does not exist' },
      { page: 'a.html', href: '../outside.html', reason: 'points outside the site' },
    ]);
  });
});
