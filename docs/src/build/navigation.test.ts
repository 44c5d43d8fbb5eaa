import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guideFiles, NAVIGATION, navigationProblems, pageOf } from './navigation.js';
import { GUIDES_DIR } from './paths.js';

describe('navigation', () => {
  it('lists every guide on disk exactly once, and nothing else', () => {
    const onDisk = readdirSync(GUIDES_DIR).filter((file) => file.endsWith('.md'));
    expect(navigationProblems(onDisk)).toEqual([]);
  });

  it('starts with the home page', () => {
    expect(guideFiles()[0]).toBe('index.md');
    expect(pageOf('quick-start.md')).toBe('quick-start.html');
  });

  it('names missing, unlisted and duplicated guides', () => {
    const nav = [
      {
        title: 'S',
        items: [
          ...(NAVIGATION[0]?.items ?? []),
          { kind: 'guide' as const, file: 'index.md', label: 'again' },
        ],
      },
    ];
    expect(navigationProblems(['index.md', 'concepts.md', 'extra.md'], nav)).toEqual([
      'the navigation lists guides/quick-start.md, which does not exist',
      'guides/index.md is listed twice in the navigation',
      'guides/extra.md is not in the navigation (src/build/navigation.ts)',
    ]);
  });
});
