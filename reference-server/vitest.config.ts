import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'reference-server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
