import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrainingSet } from '../ensemble/training-set.js';
import { TradingEnsembleModel } from '../ensemble/trading-ensemble-model.js';
import { walkForward } from '../evaluation/walk-forward.js';
import { createFeatureEngineer } from '../features/feature-engineer.js';
import { loadFixtureCandles, randomWalkCandles } from '../test-support/fixture-candles.js';
import { syntheticClassification } from '../test-support/synthetic.js';
import { binMatrix } from '../trees/binning.js';
import { resolveForestParams } from '../trees/forest-params.js';
import type { TrainingProgress } from './train-forests.js';
import { createTrainingPool, resolveTrainWorkerUrl } from './training-pool.js';

// Worker threads need the built JavaScript worker; `npm test` builds first, a lone run builds here.
beforeAll(() => {
  if (resolveTrainWorkerUrl() === undefined) execFileSync('npx', ['tsup'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: 'inherit' });
}, 120_000);

const small = { direction: { trees: 24 }, magnitude: { trees: 8 }, risk: { trees: 8 } };

/** Every module specifier the built worker script loads, following its relative imports. */
function workerImports(url: URL, seen = new Set<string>()): string[] {
  if (seen.has(url.href)) return [];
  seen.add(url.href);
  const specifiers = [...readFileSync(url, 'utf8').matchAll(/(?:from|import)\s*["']([^"']+)["']/g)].map((match) => match[1]!);
  return specifiers.flatMap((specifier) => (specifier.startsWith('.') ? workerImports(new URL(specifier, url), seen) : [specifier]));
}

describe('training on worker threads', () => {
  it('starts workers that load only Node built-ins (no @ia-agents/core, no zod: a worker starts in tens of ms)', () => {
    const imports = workerImports(resolveTrainWorkerUrl()!);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((specifier) => !builtinModules.includes(specifier.replace(/^node:/, '')))).toEqual([]);
  });

  it('grows trees on two other threads', async () => {
    const pool = createTrainingPool({ threads: 2 });
    try {
      expect(pool.mode).toBe('workers');
      const { values, labels } = syntheticClassification(2000, 6, 3);
      const binned = binMatrix({ values, rowCount: 2000, names: ['a', 'b', 'c', 'd', 'e', 'f'] });
      const params = resolveForestParams({ trees: 32 }, 'classification');
      const jobs = Array.from({ length: 8 }, (_, i) => ({ forest: 'd', treeIndexes: [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3], params, outOfBag: false }));
      const results = await pool.run({ ...binned, edges: [...binned.edges], targets: { d: { kind: 'classification', classes: labels, classCount: 3 } } }, jobs);
      expect(results.map((result) => result.treeIndexes[0])).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
      const threads = new Set(results.map((result) => result.threadId));
      expect(threads.has(0)).toBe(false);
      expect(threads.size).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('trains the same ensemble as the calling thread does, and reports progress', async () => {
    const set = buildTrainingSet(loadFixtureCandles('coinbase_BTC-USD_1h.csv', 3000), { featureEngineer: createFeatureEngineer() });
    const pool = createTrainingPool({ threads: 2 });
    const progress: TrainingProgress[] = [];
    try {
      const onWorkers = await new TradingEnsembleModel(small).train(set, { pool, onProgress: (p) => progress.push(p) });
      const onThread = await new TradingEnsembleModel(small).train(set, { pool: createTrainingPool({ threads: 1 }) });
      expect(JSON.stringify(onWorkers)).toBe(JSON.stringify(onThread));
      const trees = progress.filter((p) => p.stage === 'trees').map((p) => p.completedTrees);
      expect(trees).toEqual([...trees].sort((a, b) => a - b));
      expect(trees.at(-1)).toBe(40);
      expect(progress.at(-1)).toEqual({ stage: 'done', completedTrees: 40, totalTrees: 40 });
    } finally {
      await pool.close();
    }
  });

  it('stops on abort with an AbortError, and the pool trains again afterwards', async () => {
    const set = buildTrainingSet(loadFixtureCandles('coinbase_BTC-USD_1h.csv', 3000), { featureEngineer: createFeatureEngineer() });
    const pool = createTrainingPool({ threads: 2 });
    try {
      const controller = new AbortController();
      const training = new TradingEnsembleModel({ direction: { trees: 400 } }).train(set, { pool, signal: controller.signal, onProgress: () => controller.abort() });
      await expect(training).rejects.toMatchObject({ code: 'ABORTED' });
      const model = await new TradingEnsembleModel(small).train(set, { pool });
      expect(model.isTrained).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('finds no edge on a random walk: the walk-forward evaluation does not leak the future', async () => {
    const set = buildTrainingSet(randomWalkCandles(5200, 21), { featureEngineer: createFeatureEngineer(), labels: { horizon: 1, deadBand: 0.002 } });
    const pool = createTrainingPool({ threads: 2 });
    try {
      const report = await walkForward(set, { trainSize: 1500, testSize: 600, model: small, pool });
      expect(report.significance.rows).toBeGreaterThan(3000);
      expect(report.significance.vsMajority.pValue).toBeGreaterThan(0.01);
      expect(report.sign.pValue).toBeGreaterThan(0.01);
      expect(Math.abs(report.sign.hitRate - 0.5)).toBeLessThan(0.04);
    } finally {
      await pool.close();
    }
  });
});
