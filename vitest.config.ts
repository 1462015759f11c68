import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql for everyone: Vite would resolve src's imports to graphql's .mjs build while
    // graphql-yoga (loaded by Node) gets the CommonJS one, and errors would fail instanceof checks.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real servers on ephemeral ports; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
