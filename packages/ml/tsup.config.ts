import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker is its own entry: worker threads need a real JavaScript file to start.
  entry: ['src/index.ts', 'src/train-worker.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
