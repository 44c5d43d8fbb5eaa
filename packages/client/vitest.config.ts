import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'client',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The Chromium end-to-end suites start the reference server and a browser; give them room.
    testTimeout: 10_000,
  },
});
