import { describe, expect, it } from 'vitest';
import { GuideFormatError, renderMarkdown, rewriteLink, slugify } from './markdown.js';

describe('slugify', () => {
  it('makes GitHub-style heading ids', () => {
    expect(slugify('Routed and relayed sessions')).toBe('routed-and-relayed-sessions');
    expect(slugify('1. Start the server')).toBe('1-start-the-server');
    expect(slugify('From `opentok`')).toBe('from-opentok');
  });
});

describe('rewriteLink', () => {
  it('turns guide links into page links and leaves the rest alone', () => {
    expect(rewriteLink('concepts.md')).toBe('concepts.html');
    expect(rewriteLink('concepts.md#routed-and-relayed-sessions')).toBe(
      'concepts.html#routed-and-relayed-sessions',
    );
    expect(rewriteLink('api/index.html')).toBe('api/index.html');
    expect(rewriteLink('#local')).toBe('#local');
    expect(rewriteLink('https://example.com/readme.md')).toBe('https://example.com/readme.md');
  });
});

describe('renderMarkdown', () => {
  const page = renderMarkdown(
    '# Title\n\nIntro [next](next.md#part).\n\n## Part\n\n### Sub\n\n## Part\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n```ts browser\nconst a = 1 < 2;\n```\n',
    'x.md',
  );

  it('reports the title and unique heading ids', () => {
    expect(page.title).toBe('Title');
    expect(page.headings).toEqual([
      { level: 2, id: 'part', text: 'Part' },
      { level: 3, id: 'sub', text: 'Sub' },
      { level: 2, id: 'part-1', text: 'Part' },
    ]);
    expect(page.html).toContain('<h2 id="part-1">Part</h2>');
  });

  it('rewrites links, labels browser samples and escapes code', () => {
    expect(page.html).toContain('href="next.html#part"');
    expect(page.html).toContain('data-lang="TypeScript (browser)"');
    expect(page.html).toContain('const a = 1 &lt; 2;');
  });

  it('aligns table columns with classes, not inline styles', () => {
    expect(page.html).toContain('class="align-right"');
    expect(page.html).not.toContain('style=');
  });

  it('escapes raw HTML instead of passing it through', () => {
    expect(renderMarkdown('# T\n\n<script>alert(1)</script>\n', 'x.md').html).not.toContain('<script>');
  });

  it('refuses a guide without a title or with two', () => {
    expect(() => renderMarkdown('## Only a section\n', 'none.md')).toThrow(GuideFormatError);
    expect(() => renderMarkdown('# One\n\n# Two\n', 'two.md')).toThrow(/two\.md: more than one/);
  });
});
