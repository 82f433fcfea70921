import { defineConfig } from 'vitest/config';

// Integration tests share one migrated database per worker (PGlite in memory, or one fresh PostgreSQL
// database per run when DATABASE_URL is set); each test builds its own data, so order never matters.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    isolate: false,
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
