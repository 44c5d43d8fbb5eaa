import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'docs',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The site test builds the whole site (Redoc, TypeDoc) and drives Chromium once; the samples test
    // type-checks every guide sample against the SDK sources. Both are one-off costs per run.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
