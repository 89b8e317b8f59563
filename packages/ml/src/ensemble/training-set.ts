import type { Candle } from '@ia-agents/core';
import type { FeatureEngineer, FeatureInput } from '../features/feature-engineer.js';
import { selectRows, type FeatureMatrix } from '../features/feature-matrix.js';
import { makeLabels, type LabelOptions } from '../labels/make-labels.js';

/** Feature rows with their labels: what the ensemble trains and is evaluated on. */
export interface TrainingSet {
  /** Feature rows (only rows whose labels are known). */
  features: FeatureMatrix;
  /** Direction class per row: 0 down, 1 flat, 2 up. */
  direction: Uint8Array;
  /** Forward log return per row. */
  magnitude: Float64Array;
  /** Forward largest absolute excursion per row. */
  risk: Float64Array;
  /**
   * Persistence forecast per row: the class of the backward return over the same horizon,
   * ln(close[t] / close[t - h]), known at t (the baseline "the last move continues").
   */
  persistence: Uint8Array;
  /** Candles ahead the labels look. */
  horizon: number;
  /** Dead band of the direction labels. */
  deadBand: number;
  /** Options of the feature engineer that made the rows (saved with a model). */
  featureEngineer?: FeatureEngineer['options'];
}

/** Options of {@link buildTrainingSet}. */
export interface BuildTrainingSetOptions extends FeatureInput {
  /** Computes the features. */
  featureEngineer: FeatureEngineer;
  /** How labels are made. @default { horizon: 1, deadBand: 0.002 } */
  labels?: LabelOptions;
}

/**
 * Computes features and labels for candles and keeps the rows that have both: warm-up candles
 * (no features) and the last `horizon` candles (no future yet) are dropped.
 * @example const set = buildTrainingSet(candles, { featureEngineer: createFeatureEngineer() });
 */
export function buildTrainingSet(candles: readonly Candle[], options: BuildTrainingSetOptions): TrainingSet {
  const matrix = options.featureEngineer.compute(candles, options);
  const labels = makeLabels(candles, options.labels);
  const keep: number[] = [];
  for (let r = 0; r < matrix.rowCount; r++) if (labels.direction[matrix.candleIndex[r]!]! >= 0) keep.push(r);
  const features = selectRows(matrix, keep);
  const pick = <T extends Float64Array | Uint8Array>(out: T, source: ArrayLike<number>): T => {
    for (let i = 0; i < features.rowCount; i++) out[i] = source[features.candleIndex[i]!]!;
    return out;
  };
  return {
    features,
    direction: pick(new Uint8Array(features.rowCount), labels.direction),
    magnitude: pick(new Float64Array(features.rowCount), labels.magnitude),
    risk: pick(new Float64Array(features.rowCount), labels.risk),
    persistence: persistenceClasses(candles, features.candleIndex, labels.options.horizon, labels.options.deadBand),
    horizon: labels.options.horizon,
    deadBand: labels.options.deadBand,
    featureEngineer: options.featureEngineer.toJSON(),
  };
}

/** Rows `[start, end)` of a training set (copies). */
export function sliceTrainingSet(set: TrainingSet, start: number, end: number): TrainingSet {
  const rows = Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
  return {
    ...set,
    features: selectRows(set.features, rows),
    direction: set.direction.slice(start, end),
    magnitude: set.magnitude.slice(start, end),
    risk: set.risk.slice(start, end),
    persistence: set.persistence.slice(start, end),
  };
}

function persistenceClasses(candles: readonly Candle[], candleIndex: Int32Array, horizon: number, deadBand: number): Uint8Array {
  const out = new Uint8Array(candleIndex.length);
  for (let i = 0; i < candleIndex.length; i++) {
    const t = candleIndex[i]!;
    const past = t >= horizon ? Math.log(candles[t]!.close / candles[t - horizon]!.close) : 0;
    out[i] = past > deadBand ? 2 : past < -deadBand ? 0 : 1;
  }
  return out;
}
