/**
 * Every TypeScript sample in the guides compiles against the real packages, so the guides cannot drift
 * from the SDK's API: a renamed method or option fails this test with the guide's file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUIDES_DIR } from '../src/build/paths.js';
import { extractSamples, type Sample } from '../src/samples/extract.js';
import { typecheckSamples } from '../src/samples/typecheck.js';

const samples: Sample[] = readdirSync(GUIDES_DIR)
  .filter((file) => file.endsWith('.md'))
  .sort()
  .flatMap((file) => extractSamples(file, readFileSync(join(GUIDES_DIR, file), 'utf8')));

const report = (diagnostics: { location: string; message: string }[]): string =>
  diagnostics.map((d) => `${d.location}: ${d.message}`).join('\n');

describe('guide samples', () => {
  it('has samples of both kinds to check', () => {
    expect(samples.filter((s) => s.kind === 'node').length).toBeGreaterThan(10);
    expect(samples.filter((s) => s.kind === 'browser').length).toBeGreaterThan(0);
  });

  it('type-checks every Node sample against the server SDK sources', () => {
    expect(report(typecheckSamples(samples, 'node'))).toBe('');
  });

  it('type-checks every browser sample against the OpenTok.js types, @parley/client and the DOM', () => {
    expect(report(typecheckSamples(samples, 'browser'))).toBe('');
  });

  it('checks samples against the real SDK and OpenTok.js, not against any', () => {
    const wrong = extractSamples(
      'wrong.md',
      "# T\n\n```ts\nimport { Parley } from '@parley/server-sdk';\nawait new Parley().sessions.creat();\n```\n\n```ts browser\nOT.initSesion('a', 'b');\n```\n",
    );
    expect(typecheckSamples(wrong, 'node').map((d) => d.location)).toEqual(['guides/wrong.md:5']);
    expect(typecheckSamples(wrong, 'browser').map((d) => d.location)).toEqual(['guides/wrong.md:9']);
  });

  it('checks browser samples against the real @parley/client, not against any', () => {
    const wrong = extractSamples(
      'wrong-client.md',
      "# T\n\n```ts browser\nimport { initSession } from '@parley/client';\nconst session = initSession('p', 's', { url: 'u' });\nawait session.conect('token');\n```\n",
    );
    const diagnostics = typecheckSamples(wrong, 'browser');
    expect(diagnostics.map((d) => d.location)).toEqual(['guides/wrong-client.md:6']);
    expect(diagnostics[0]?.message).toMatch(/conect/);
  });

  it('reports a broken sample with its guide and line', () => {
    const broken = extractSamples(
      'broken.md',
      '# T\n\ntext\n\n```ts\nconst n: number = 1;\nconst s: string = n;\n```\n',
    );
    const diagnostics = typecheckSamples(broken, 'node');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.location).toBe('guides/broken.md:7');
    expect(diagnostics[0]?.message).toMatch(/not assignable to type 'string'/);
  });
});
