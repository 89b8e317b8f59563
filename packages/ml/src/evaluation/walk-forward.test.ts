import { describe, expect, it } from 'vitest';
import { buildTrainingSet } from '../ensemble/training-set.js';
import { createFeatureEngineer } from '../features/feature-engineer.js';
import { loadFixtureCandles } from '../test-support/fixture-candles.js';
import { createTrainingPool } from '../training/training-pool.js';
import { formatWalkForwardReport } from './format-report.js';
import { walkForward } from './walk-forward.js';

const small = { direction: { trees: 10 }, magnitude: { trees: 4 }, risk: { trees: 4 } };

describe('walkForward', () => {
  const candles = loadFixtureCandles('coinbase_BTC-USD_4h.csv', 2000);
  const set = buildTrainingSet(candles, { featureEngineer: createFeatureEngineer(), labels: { horizon: 3, deadBand: 0.003 } });

  it('retrains per fold, purges the training rows whose labels reach into the test window, and scores baselines', async () => {
    const folds: number[] = [];
    const report = await walkForward(set, { trainSize: 800, testSize: 300, model: small, pool: createTrainingPool({ threads: 1 }), onFold: (_, index, total) => folds.push(index * 100 + total) });
    const expectedFolds = Math.ceil((set.features.rowCount - 800) / 300);
    expect(report.folds).toHaveLength(expectedFolds);
    expect(folds).toEqual(Array.from({ length: expectedFolds }, (_, i) => i * 100 + expectedFolds));
    // Horizon 3: the 3 rows right before each test window are purged; the first window has no
    // older rows to make up for them, later rolling windows slide back to keep 800.
    expect(report.folds.map((fold) => fold.trainRows)).toEqual([797, ...new Array<number>(expectedFolds - 1).fill(800)]);
    expect(report.overall.model.rows).toBe(set.features.rowCount - 800);
    expect(report.significance.rows).toBe(Math.ceil(report.overall.model.rows / 3));
    const shares = report.classShares;
    expect(shares.down + shares.flat + shares.up).toBeCloseTo(1, 12);
    expect(report.overall.majority.balancedAccuracy).toBeCloseTo(1 / 3, 12);
    const text = formatWalkForwardReport(report);
    expect(text).toContain(`Walk-forward: ${expectedFolds} folds, rolling training window of 800 rows`);
    expect(text).toMatch(/majority\s+\d/);
    expect(text).toMatch(/McNemar vs persistence/);
  });

  it('expanding mode trains on everything before the purge', async () => {
    const report = await walkForward(set, { trainSize: 800, testSize: 500, mode: 'expanding', maxFolds: 2, model: small, pool: createTrainingPool({ threads: 1 }) });
    expect(report.folds).toHaveLength(2);
    expect(report.folds[1]!.trainRows - report.folds[0]!.trainRows).toBe(500);
    // The latest folds are kept, and an expanding window starts at row 0: all rows before the purge.
    const lastTestStart = set.features.rowCount - report.folds[1]!.testRows;
    expect(report.folds[1]!.trainRows).toBe(lastTestStart - 3);
  });

  it('rejects windows larger than the data, naming the field', async () => {
    await expect(walkForward(set, { trainSize: 10_000 })).rejects.toThrow(/trainSize/);
  });
});
