import { defineConfig } from 'vitest/config';

/** Every process the tests start talks to emulators on 127.0.0.1 with dummy credentials. */
const env = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export default defineConfig({
  test: {
    env,
    restoreMocks: true,
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'functions', include: ['packages/functions/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'local', include: ['packages/local/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'statemachine', include: ['test/statemachine/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // Generates .sst/platform with the pinned SST CLI when it is missing (once per checkout).
          globalSetup: ['test/infra/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'web',
          include: ['web/test/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['web/test/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      { extends: true, test: { name: 'analysis', include: ['packages/analysis/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['packages/cli/test/**/*.test.ts'] } },
      // The evaluation's grader (pure functions); the evaluation itself runs with `npm run eval`.
      { extends: true, test: { name: 'eval', include: ['bench/eval/**/*.test.ts'] } },
    ],
    coverage: {
      provider: 'v8',
      include: [
        'packages/core/src/**',
        'packages/functions/src/**',
        'packages/local/src/**',
        'packages/analysis/src/**',
      ],
      // Barrel files only re-export; the local CLI runs in a child process (test/integration/start.test.ts),
      // and so does the analysis command line's process entry (packages/analysis/test/cli/cli.test.ts);
      // the sample writer is a script run by hand.
      exclude: [
        '**/index.ts',
        'packages/local/src/cli.ts',
        'packages/analysis/src/cli/run.ts',
        'packages/analysis/src/datasets/write-samples.ts',
      ],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'packages/core/src/**': { lines: 90, branches: 90 },
        'packages/functions/src/**': { lines: 90, branches: 90 },
        'packages/local/src/**': { lines: 75, branches: 55 },
        'packages/analysis/src/**': { lines: 90, branches: 85 },
      },
    },
  },
});
