import { z } from 'zod';
import { featureEngineerOptionsSchema } from '../features/feature-engineer.js';
import { logisticRegressionJsonSchema } from '../linear/logistic-regression.js';
import { forestJsonSchema } from '../trees/random-forest.js';
import { resolvedEnsembleOptionsSchema } from './ensemble-options.js';

/** Format tag of a saved TradingEnsembleModel. */
export const ENSEMBLE_FORMAT = 'ia-agents.trading-ensemble';

/** Current format version; a model saved with another version is refused. */
export const ENSEMBLE_FORMAT_VERSION = 1;

/** A saved TradingEnsembleModel. */
export const tradingEnsembleJsonSchema = z.object({
  /** Always `ia-agents.trading-ensemble`. */
  format: z.literal(ENSEMBLE_FORMAT),
  /** Format version. */
  version: z.literal(ENSEMBLE_FORMAT_VERSION),
  /** Resolved options. */
  options: resolvedEnsembleOptionsSchema,
  /** Feature names the model was trained on, in column order. */
  featureNames: z.array(z.string()).min(1),
  /** Options of the feature engineer that made the training rows, when known. */
  featureEngineer: featureEngineerOptionsSchema.optional(),
  /** Label horizon in candles. */
  horizon: z.number().int().positive(),
  /** Direction dead band. */
  deadBand: z.number().nonnegative(),
  /** Training rows. */
  trainingRows: z.number().int().positive(),
  /**
   * Open times (UTC ms) of the first and last training rows' candles: the model learnt the candles
   * up to `horizon` past the last (its labels). Absent in files saved before it was recorded.
   */
  trainedOn: z.object({ first: z.number().int(), last: z.number().int() }).optional(),
  /** Training rows per direction class (down, flat, up). */
  classCounts: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number().int().nonnegative()]),
  /** The direction classifier. */
  direction: forestJsonSchema,
  /** The magnitude regressor. */
  magnitude: forestJsonSchema,
  /** The risk regressor. */
  risk: forestJsonSchema,
  /** The confidence model. */
  confidence: logisticRegressionJsonSchema,
});

/** A saved TradingEnsembleModel, as JSON. */
export type TradingEnsembleJson = z.infer<typeof tradingEnsembleJsonSchema>;
