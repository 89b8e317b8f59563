import type { Candle } from '@ia-agents/core';
import type { TradingEnsembleOptions } from './ensemble/ensemble-options.js';
import { TradingEnsembleModel } from './ensemble/trading-ensemble-model.js';
import { buildTrainingSet } from './ensemble/training-set.js';
import { walkForward, type WalkForwardOptions, type WalkForwardReport } from './evaluation/walk-forward.js';
import { createFeatureEngineer, type FeatureEngineer, type FeatureEngineerOptions } from './features/feature-engineer.js';
import type { FundamentalData } from './features/fundamental-features.js';
import type { LabelOptions } from './labels/make-labels.js';
import type { TrainingProgress } from './training/train-forests.js';
import { createTrainingPool } from './training/training-pool.js';

/** Options of {@link trainAndEvaluate}. */
export interface TrainAndEvaluateOptions {
  /** Closed candles, oldest first. */
  candles: readonly Candle[];
  /** Fundamental data aligned with the candles. */
  fundamentals?: FundamentalData;
  /** Feature options. @default {} */
  features?: FeatureEngineerOptions;
  /** Label options. @default { horizon: 1, deadBand: 0.002 } */
  labels?: LabelOptions;
  /** Ensemble options. */
  model?: TradingEnsembleOptions;
  /** Walk-forward windows; `false` skips the evaluation. @default { trainSize: 3000, testSize: 500 } */
  walkForward?: Omit<WalkForwardOptions, 'model' | 'pool' | 'signal'> | false;
  /** Training threads. @default os.availableParallelism() */
  threads?: number;
  /** Progress: the evaluation folds, then the final training. */
  onProgress?: (progress: TrainAndEvaluateProgress) => void;
  /** Cancels the run. */
  signal?: AbortSignal;
}

/** Progress of {@link trainAndEvaluate}. */
export type TrainAndEvaluateProgress = { phase: 'evaluate'; fold: number; folds: number } | ({ phase: 'train' } & TrainingProgress);

/** What {@link trainAndEvaluate} returns. */
export interface TrainAndEvaluateResult {
  /** The model trained on every labelled row. */
  model: TradingEnsembleModel;
  /** The feature engineer to predict with. */
  featureEngineer: FeatureEngineer;
  /** The walk-forward report, unless skipped. */
  report?: WalkForwardReport;
}

/**
 * What `ia-agents train` runs: builds features and labels, evaluates the ensemble walk-forward,
 * then trains the final model on all labelled rows. Save it with `JSON.stringify(model)`.
 * @example
 * const { model, report } = await trainAndEvaluate({ candles, walkForward: { trainSize: 3000, testSize: 500 } });
 * console.log(formatWalkForwardReport(report!));
 */
export async function trainAndEvaluate(options: TrainAndEvaluateOptions): Promise<TrainAndEvaluateResult> {
  const featureEngineer = createFeatureEngineer(options.features ?? {});
  const set = buildTrainingSet(options.candles, { featureEngineer, ...(options.labels === undefined ? {} : { labels: options.labels }), ...(options.fundamentals === undefined ? {} : { fundamentals: options.fundamentals }) });
  const pool = createTrainingPool(options.threads === undefined ? {} : { threads: options.threads });
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  try {
    let report: WalkForwardReport | undefined;
    if (options.walkForward !== false) {
      report = await walkForward(set, {
        ...options.walkForward,
        ...(options.model === undefined ? {} : { model: options.model }),
        pool,
        ...signal,
        onFold: (fold, index, total) => {
          if (options.walkForward !== false) options.walkForward?.onFold?.(fold, index, total);
          options.onProgress?.({ phase: 'evaluate', fold: index + 1, folds: total });
        },
      });
    }
    const model = await new TradingEnsembleModel(options.model).train(set, { pool, ...signal, onProgress: (progress) => options.onProgress?.({ phase: 'train', ...progress }) });
    return { model, featureEngineer, ...(report === undefined ? {} : { report }) };
  } finally {
    await pool.close();
  }
}
