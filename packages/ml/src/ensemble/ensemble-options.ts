import { ConfigError } from '@ia-agents/core';
import { z } from 'zod';
import { logisticRegressionOptionsSchema } from '../linear/logistic-regression.js';
import { forestParamsSchema, resolveForestParams, type ForestParams, type ResolvedForestParams } from '../trees/forest-params.js';

/** Options of a TradingEnsembleModel. */
export interface TradingEnsembleOptions {
  /** Model id, reported in predictions. @default 'trading-ensemble' */
  id?: string;
  /** Direction classifier (random forest). @default { trees: 100, maxDepth: 8, minSamplesLeaf: 10 } */
  direction?: ForestParams;
  /** Magnitude regressor (random forest). @default { trees: 50, maxDepth: 6, minSamplesLeaf: 20 } */
  magnitude?: ForestParams;
  /** Risk regressor (random forest, in place of the seed's SVR). @default { trees: 50, maxDepth: 6, minSamplesLeaf: 20 } */
  risk?: ForestParams;
  /** Confidence model (logistic regression). @default { l2: 1 } */
  confidence?: z.input<typeof logisticRegressionOptionsSchema>;
  /** Below this confidence a BUY or SELL becomes HOLD. @default 0 */
  minConfidence?: number;
  /** Seed of every forest (each forest derives its own). @default 1 */
  seed?: number;
}

/** Resolved ensemble options, as saved with a model. */
export const resolvedEnsembleOptionsSchema = z.object({
  id: z.string().min(1),
  direction: forestParamsSchema.required({ maxFeatures: true }),
  magnitude: forestParamsSchema.required({ maxFeatures: true }),
  risk: forestParamsSchema.required({ maxFeatures: true }),
  confidence: logisticRegressionOptionsSchema,
  minConfidence: z.number().min(0).max(1),
  seed: z.number().int(),
});

/** Resolved ensemble options. */
export interface ResolvedEnsembleOptions {
  id: string;
  direction: ResolvedForestParams;
  magnitude: ResolvedForestParams;
  risk: ResolvedForestParams;
  confidence: z.output<typeof logisticRegressionOptionsSchema>;
  minConfidence: number;
  seed: number;
}

/** Fills in defaults and checks every field, throwing a ConfigError naming the bad ones. */
export function resolveEnsembleOptions(options: TradingEnsembleOptions = {}): ResolvedEnsembleOptions {
  const seed = options.seed ?? 1;
  const confidence = logisticRegressionOptionsSchema.safeParse(options.confidence ?? {});
  if (!confidence.success) throw new ConfigError('ensemble options', confidence.error.issues.map((issue) => ({ path: ['confidence', ...(issue.path as (string | number)[])], message: issue.message })));
  const minConfidence = options.minConfidence ?? 0;
  if (!(minConfidence >= 0 && minConfidence <= 1)) throw new ConfigError('ensemble options', [{ path: ['minConfidence'], message: `expected a number in [0, 1], received ${minConfidence}` }]);
  return {
    id: options.id ?? 'trading-ensemble',
    direction: resolveForestParams({ trees: 100, maxDepth: 8, minSamplesLeaf: 10, seed: seed, ...options.direction }, 'classification', 'ensemble options: direction'),
    magnitude: resolveForestParams({ trees: 50, maxDepth: 6, minSamplesLeaf: 20, seed: seed + 1, ...options.magnitude }, 'regression', 'ensemble options: magnitude'),
    risk: resolveForestParams({ trees: 50, maxDepth: 6, minSamplesLeaf: 20, seed: seed + 2, ...options.risk }, 'regression', 'ensemble options: risk'),
    confidence: confidence.data,
    minConfidence,
    seed,
  };
}
