import { defineConfig } from 'vitest/config';

/**
 * One test runner for the whole workspace: each package is a vitest project
 * with its own `vitest.config.ts`, so `pnpm test` at the root runs everything.
 */
export default defineConfig({
  test: {
    projects: ['openapi', 'packages/*', 'reference-server', 'docs'],
    reporters: ['default'],
  },
});
