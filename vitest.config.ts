import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/src/**/*.test.tsx', 'apps/admin-ui/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on the 2-core CI machine, where most of a file's
    // time is one thread waiting on another process. The end-to-end suites run on a stepped clock, so the load
    // of a neighbour does not change what they see.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
