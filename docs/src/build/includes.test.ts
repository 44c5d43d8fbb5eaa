import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  benchmarkAssetPath,
  benchmarkFiles,
  expandIncludes,
  type IncludeContext,
  IncludeError,
} from './includes.js';
import type { SpecOperation } from './spec.js';

const operation = (operationId: string, tag: string): SpecOperation => ({
  operationId,
  tag,
  method: 'post',
  path: `/v2/${operationId}`,
  summary: operationId,
  description: '',
  security: [],
  pathParameters: [],
  kind: 'operation',
});

const repoRoot = mkdtempSync(join(tmpdir(), 'parley-includes-'));
afterAll(() => rmSync(repoRoot, { recursive: true, force: true }));

const context: IncludeContext = {
  repoRoot,
  operations: [
    operation('startArchive', 'Archives'),
    operation('stopArchive', 'Archives'),
    operation('sendSignal', 'Signals'),
  ],
  statuses: new Map([
    ['startArchive', { operationId: 'startArchive', implemented: false, status: 501 }],
    ['stopArchive', { operationId: 'stopArchive', implemented: true, status: 404 }],
    ['sendSignal', { operationId: 'sendSignal', implemented: true, status: 400 }],
  ]),
  sdkMethods: { startArchive: 'archives.start', sendSignal: { excluded: 'not for servers' } },
  apiLink: (op) => `api/index.html#/x/${op.operationId.toLowerCase()}`,
};

describe('expandIncludes', () => {
  it('says which operations of a group the server implements', () => {
    expect(expandIncludes('<!-- include: status Signals -->', 'g.md', context)).toBe(
      '> **Status:** the reference server implements every Signals operation.',
    );
    expect(expandIncludes('<!-- include: status Archives -->', 'g.md', context)).toContain(
      'implements the Archives operations except `startArchive`',
    );
  });

  it('tabulates every operation with its SDK method and status', () => {
    const table = expandIncludes('<!-- include: operations -->', 'g.md', context);
    expect(table).toContain('implements **2 of the 3** operations');
    expect(table).toContain(
      '| Archives | [`startArchive`](api/index.html#/x/startarchive) | `POST /v2/startArchive` | `archives.start` | not yet (501) |',
    );
    expect(table).toContain(
      '| Signals | [`sendSignal`](api/index.html#/x/sendsignal) | `POST /v2/sendSignal` | — (not for servers) | yes |',
    );
  });

  it('names the guide when an include is unknown or misused', () => {
    expect(() => expandIncludes('<!-- include: nope -->', 'g.md', context)).toThrow(IncludeError);
    expect(() => expandIncludes('<!-- include: status Nope -->', 'g.md', context)).toThrow(
      'guides/g.md: "status" names unknown API tags: Nope',
    );
  });

  it('embeds the benchmark result files, or says there are none', () => {
    expect(expandIncludes('<!-- include: benchmarks -->', 'b.md', context)).toMatch(
      /No benchmark results have been recorded yet/,
    );
    mkdirSync(join(repoRoot, 'packages', 'sdk', 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(repoRoot, 'packages', 'sdk', 'bench', 'results', 'latest.md'),
      '# SDK bench\n\n## Tokens\n\n| a |\n\nReport: [json](latest.json). ![plot](plot.svg) [site](https://example.com/x)\n',
    );
    expect(benchmarkFiles(repoRoot)).toEqual(['packages/sdk/bench/results/latest.md']);
    const text = expandIncludes('<!-- include: benchmarks -->', 'b.md', context);
    expect(text).toContain('## SDK bench\n\n### Tokens');
    expect(text).toContain('_Source: `packages/sdk/bench/results/latest.md`._');
    // Relative links point at the copies the build makes next to the page; absolute ones stay.
    expect(benchmarkAssetPath('packages/sdk/bench/results/latest.md')).toBe(
      'assets/bench/packages-sdk-bench-results',
    );
    expect(text).toContain('[json](assets/bench/packages-sdk-bench-results/latest.json)');
    expect(text).toContain('![plot](assets/bench/packages-sdk-bench-results/plot.svg)');
    expect(text).toContain('[site](https://example.com/x)');
  });

  it("includes the server's error catalogue from its own command", () => {
    const table = expandIncludes('<!-- include: errors -->', 'errors.md', context);
    expect(table.split('\n')[0]).toBe('| Code | Status | Name | Description | How to solve |');
    expect(table).toContain('| 40001 | 400 | `INVALID_FIELD` |');
  });
});
