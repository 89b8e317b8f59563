import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The dashboard is static files served from dist/dashboard.
  onSuccess: async () => {
    cpSync('src/dashboard', 'dist/dashboard', { recursive: true, filter: (path) => !path.endsWith('.ts') });
  },
});
