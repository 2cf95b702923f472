import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Under CI, test files run one at a time: the timing assertions (LSP latency, the VS Code end-to-end waits)
    // and the GPU tests (llvmpipe uses every core) must not compete for the 2 cores.
    fileParallelism: !process.env['CI'],
  },
});
