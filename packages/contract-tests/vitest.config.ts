import { defineConfig } from 'vitest/config';

/**
 * The package's own tests: unit tests of the spec machinery (`*.test.ts`) and the run against the reference
 * server. The contract suites themselves (`*.contract.ts`) need a target and run only through
 * `runContractSuite()` / the `parley-contract-tests` CLI, never directly under this project.
 */
export default defineConfig({
  test: {
    name: 'contract-tests',
    include: ['src/**/*.test.ts'],
  },
});
