import { defineConfig } from 'vitest/config';

/**
 * One test runner for the whole workspace: each package is a vitest project with its own
 * `vitest.config.ts`, so `pnpm test` at the root runs everything. The JSON report feeds the one-line
 * summary that `.ci/run` prints.
 */
export default defineConfig({
  test: {
    projects: ['openapi', 'packages/*', 'reference-server', 'docs'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-reports/results.json' },
  },
});
