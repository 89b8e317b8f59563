import { ConfigError } from '@ia-agents/core';
import { z } from 'zod';
import type { TradingEnsembleOptions } from '../ensemble/ensemble-options.js';
import { TradingEnsembleModel } from '../ensemble/trading-ensemble-model.js';
import { sliceTrainingSet, type TrainingSet } from '../ensemble/training-set.js';
import { createTrainingPool, type TrainingPool } from '../training/training-pool.js';
import { argmax, classificationMetrics, confusionMatrix, correlation, meanAbsoluteError, oneHot, type ClassificationMetrics } from './metrics.js';
import { binomialTailPValue, mcNemarTest, type McNemarResult } from './significance.js';

/** Options of {@link walkForward}. */
export const walkForwardOptionsSchema = z.object({
  /** Training rows per fold (the whole past in `expanding` mode starts from this many). */
  trainSize: z.number().int().min(50).default(3000),
  /** Test rows per fold; the window then moves on by this many rows. */
  testSize: z.number().int().positive().default(500),
  /** `rolling`: a fixed-size training window; `expanding`: all rows since the start. */
  mode: z.enum(['rolling', 'expanding']).default('rolling'),
  /** Stop after this many folds (the latest folds are kept). */
  maxFolds: z.number().int().positive().optional(),
});

/** Options of {@link walkForward}. */
export type WalkForwardOptions = z.input<typeof walkForwardOptionsSchema> & {
  /** Ensemble options used at every fold. */
  model?: TradingEnsembleOptions;
  /** Training threads. @default a pool created for the run */
  pool?: TrainingPool;
  /** Progress after each fold. */
  onFold?: (fold: WalkForwardFold, index: number, total: number) => void;
  /** Cancels the run. */
  signal?: AbortSignal;
};

/** One retrain-and-test step. */
export interface WalkForwardFold {
  /** Training rows used (after purging). */
  trainRows: number;
  /** Test rows. */
  testRows: number;
  /** Open time of the first test candle. */
  testFrom: number;
  /** Open time of the last test candle. */
  testTo: number;
  /** Direction scores of the model on the test rows. */
  model: ClassificationMetrics;
  /** Scores of the majority class of the training rows (probabilities = training class shares). */
  majority: ClassificationMetrics;
  /** Scores of persistence (the last move continues; one-hot probabilities). */
  persistence: ClassificationMetrics;
}

/** What a walk-forward evaluation found. */
export interface WalkForwardReport {
  /** Folds in time order. */
  folds: WalkForwardFold[];
  /** Scores over every test row of every fold. */
  overall: { model: ClassificationMetrics; majority: ClassificationMetrics; persistence: ClassificationMetrics };
  /** Confusion matrix of the model over all test rows, `[true][predicted]` (down, flat, up). */
  confusion: number[][];
  /** Share of each true class in the test rows. */
  classShares: { down: number; flat: number; up: number };
  /** Magnitude and risk regressors over all test rows. */
  regression: { magnitudeCorrelation: number; magnitudeMae: number; magnitudeMaeOfZero: number; riskMae: number; riskMaeOfTrainingMean: number };
  /**
   * Significance on every `horizon`-th test row (so that no two scored labels share a candle):
   * a binomial test of the model's accuracy against the majority baseline's accuracy, and paired
   * McNemar tests against each baseline. One-sided: small p = the model is better.
   */
  significance: { rows: number; modelAccuracy: number; binomialVsMajority: { nullAccuracy: number; pValue: number }; vsMajority: McNemarResult; vsPersistence: McNemarResult };
  /**
   * Up against down only: among the sampled rows where the model called a move and a move
   * happened, how often it had the sign right, and the binomial p-value against a coin (0.5).
   * Much of a three-class edge can come from telling quiet from busy markets; this is the sign.
   */
  sign: { rows: number; hitRate: number; pValue: number };
  /** The options used. */
  options: z.output<typeof walkForwardOptionsSchema> & { horizon: number; deadBand: number };
}

interface Collected {
  truth: number[];
  model: number[];
  majority: number[];
  persistence: number[];
  magnitude: [number[], number[]];
  risk: [number[], number[], number[]];
}

/**
 * Walk-forward evaluation: train on a window, test on the rows right after it, move on, retrain.
 * Training rows whose label horizon reaches into the test window are purged, so no test outcome
 * leaks into training. The report compares the model with a majority-class and a persistence
 * baseline and says how significant the difference is.
 * @example const report = await walkForward(buildTrainingSet(candles, { featureEngineer }), { trainSize: 3000, testSize: 500 });
 */
export async function walkForward(set: TrainingSet, options: WalkForwardOptions = {}): Promise<WalkForwardReport> {
  const parsed = walkForwardOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError('walk-forward options', parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: issue.message })));
  const resolved = parsed.data;
  const starts = foldStarts(set.features.rowCount, resolved);
  const pool = options.pool ?? createTrainingPool();
  const collected: Collected = { truth: [], model: [], majority: [], persistence: [], magnitude: [[], []], risk: [[], [], []] };
  const folds: WalkForwardFold[] = [];
  try {
    for (const [index, testStart] of starts.entries()) {
      const fold = await runFold(set, testStart, resolved, options, pool, collected);
      folds.push(fold);
      options.onFold?.(fold, index, starts.length);
    }
  } finally {
    if (options.pool === undefined) await pool.close();
  }
  return buildReport(set, folds, collected, resolved);
}

function foldStarts(rows: number, options: z.output<typeof walkForwardOptionsSchema>): number[] {
  const starts: number[] = [];
  for (let start = options.trainSize; start < rows; start += options.testSize) starts.push(start);
  if (starts.length === 0) {
    throw new ConfigError('walk-forward options', [{ path: ['trainSize'], message: `expected fewer training rows than the ${rows} rows available, received ${options.trainSize}` }]);
  }
  return options.maxFolds === undefined ? starts : starts.slice(-options.maxFolds);
}

async function runFold(set: TrainingSet, testStart: number, options: z.output<typeof walkForwardOptionsSchema>, walk: WalkForwardOptions, pool: TrainingPool, collected: Collected): Promise<WalkForwardFold> {
  const testEnd = Math.min(set.features.rowCount, testStart + options.testSize);
  const firstTestCandle = set.features.candleIndex[testStart]!;
  // Purge: a training label at candle c looks at candles up to c + horizon, which must stay before the test window.
  let trainEnd = testStart;
  while (trainEnd > 0 && set.features.candleIndex[trainEnd - 1]! + set.horizon >= firstTestCandle) trainEnd--;
  const trainStart = options.mode === 'rolling' ? Math.max(0, trainEnd - options.trainSize) : 0;
  const train = sliceTrainingSet(set, trainStart, trainEnd);
  const test = sliceTrainingSet(set, testStart, testEnd);
  const model = await new TradingEnsembleModel(walk.model).train(train, { pool, ...(walk.signal === undefined ? {} : { signal: walk.signal }) });
  const predicted = model.predictBatch(test.features.values, test.features.rowCount);
  const shares = classShares(train.direction);
  const rows = test.features.rowCount;
  const majorityProbabilities = new Float64Array(rows * 3).map((_, i) => shares[i % 3]!);
  const trainingRiskMean = train.risk.reduce((sum, value) => sum + value, 0) / train.risk.length;
  for (let r = 0; r < rows; r++) {
    collected.truth.push(test.direction[r]!);
    collected.model.push(predicted.probabilities[r * 3]!, predicted.probabilities[r * 3 + 1]!, predicted.probabilities[r * 3 + 2]!);
    collected.majority.push(shares[0]!, shares[1]!, shares[2]!);
    collected.persistence.push(test.persistence[r]!);
    collected.magnitude[0].push(test.magnitude[r]!);
    collected.magnitude[1].push(predicted.expectedReturn[r]!);
    collected.risk[0].push(test.risk[r]!);
    collected.risk[1].push(predicted.risk[r]!);
    collected.risk[2].push(trainingRiskMean);
  }
  return {
    trainRows: train.features.rowCount,
    testRows: rows,
    testFrom: test.features.timestamps[0]!,
    testTo: test.features.timestamps[rows - 1]!,
    model: classificationMetrics(test.direction, predicted.probabilities),
    majority: classificationMetrics(test.direction, majorityProbabilities),
    persistence: classificationMetrics(test.direction, oneHot(test.persistence)),
  };
}

function classShares(labels: Uint8Array): Float64Array {
  const shares = new Float64Array(3);
  for (const label of labels) shares[label]! += 1 / labels.length;
  return shares;
}

function buildReport(set: TrainingSet, folds: WalkForwardFold[], c: Collected, options: z.output<typeof walkForwardOptionsSchema>): WalkForwardReport {
  const n = c.truth.length;
  const predicted = c.truth.map((_, i) => argmax(c.model, i * 3, 3));
  const majorityPredicted = c.truth.map((_, i) => argmax(c.majority, i * 3, 3));
  const shares = classShares(Uint8Array.from(c.truth));
  // Score every horizon-th row only: consecutive labels over a horizon > 1 overlap and are not independent.
  const sampled = c.truth.map((_, i) => i).filter((i) => i % set.horizon === 0);
  const modelRight = sampled.map((i) => predicted[i] === c.truth[i]);
  const majorityRight = sampled.map((i) => majorityPredicted[i] === c.truth[i]);
  const persistenceRight = sampled.map((i) => c.persistence[i] === c.truth[i]);
  const nullAccuracy = majorityRight.filter(Boolean).length / Math.max(1, sampled.length);
  const correct = modelRight.filter(Boolean).length;
  return {
    folds,
    overall: {
      model: classificationMetrics(c.truth, c.model),
      majority: classificationMetrics(c.truth, c.majority),
      persistence: classificationMetrics(c.truth, oneHot(c.persistence)),
    },
    confusion: confusionMatrix(c.truth, predicted),
    classShares: { down: shares[0]!, flat: shares[1]!, up: shares[2]! },
    regression: {
      magnitudeCorrelation: correlation(c.magnitude[0], c.magnitude[1]),
      magnitudeMae: meanAbsoluteError(c.magnitude[0], c.magnitude[1]),
      magnitudeMaeOfZero: meanAbsoluteError(c.magnitude[0], new Float64Array(n)),
      riskMae: meanAbsoluteError(c.risk[0], c.risk[1]),
      riskMaeOfTrainingMean: meanAbsoluteError(c.risk[0], c.risk[2]),
    },
    significance: {
      rows: sampled.length,
      modelAccuracy: correct / Math.max(1, sampled.length),
      binomialVsMajority: { nullAccuracy, pValue: binomialTailPValue(correct, sampled.length, nullAccuracy) },
      vsMajority: mcNemarTest(modelRight, majorityRight),
      vsPersistence: mcNemarTest(modelRight, persistenceRight),
    },
    sign: signHitRate(sampled, predicted, c.truth),
    options: { ...options, horizon: set.horizon, deadBand: set.deadBand },
  };
}

function signHitRate(sampled: readonly number[], predicted: readonly number[], truth: readonly number[]): WalkForwardReport['sign'] {
  const moves = sampled.filter((i) => predicted[i] !== 1 && truth[i] !== 1);
  const hits = moves.filter((i) => predicted[i] === truth[i]).length;
  return { rows: moves.length, hitRate: moves.length > 0 ? hits / moves.length : Number.NaN, pValue: binomialTailPValue(hits, moves.length, 0.5) };
}
