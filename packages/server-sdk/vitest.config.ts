import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'server-sdk',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The packaging test builds and packs the SDK; give it room without slowing the unit tests.
    testTimeout: 20_000,
  },
});
