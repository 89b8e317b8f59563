import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['core', 'assistants', 'exchange', 'ml', 'server'];
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import the packages by name; resolve them to their TypeScript sources so that a test
// always runs against the code next to it, not against a stale build.
const alias = [
  { find: '@ia-agents/core/testing', replacement: source('./packages/core/src/testing/index.ts') },
  ...packages.map((name) => ({
    find: new RegExp(`^@ia-agents/${name}$`),
    replacement: source(`./packages/${name}/src/index.ts`),
  })),
];

const shared = { alias, testTimeout: 30_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          ...shared,
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          ...shared,
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts', 'examples/*/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          // Integration tests share PostgreSQL, Redis and ports: run their files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
