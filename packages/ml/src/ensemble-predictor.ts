import { predictionSchema, type Candle, type Prediction, type Predictor, type PredictorContext } from '@ia-agents/core';
import type { TradingEnsembleModel } from './ensemble/trading-ensemble-model.js';
import { createFeatureEngineer, type FeatureEngineer } from './features/feature-engineer.js';

/** Settings of {@link createEnsemblePredictor}. */
export interface EnsemblePredictorSettings {
  /** A trained model. */
  model: TradingEnsembleModel;
  /** The engineer that made its training rows. @default rebuilt from the options saved with the model */
  featureEngineer?: FeatureEngineer;
}

/**
 * Wraps a trained TradingEnsembleModel as core's `Predictor`: the engine calls it with the
 * trailing closed candles and puts the `Prediction` in the snapshot for the strategist.
 * The context's news and market-cap change feed the fundamental features when the model has them.
 * @example
 * const predictor = createEnsemblePredictor({ model: TradingEnsembleModel.fromJSON(saved) });
 * const prediction = predictor.predict(candles, { symbol: 'BTC/USDT', timeframe: '4h' });
 */
export function createEnsemblePredictor(settings: EnsemblePredictorSettings): Predictor {
  const { model } = settings;
  const featureEngineer = settings.featureEngineer ?? createFeatureEngineer(model.featureEngineerOptions ?? {});
  // Fail now, not at the first candle, when model and engineer disagree.
  const names = featureEngineer.names;
  model.predict(new Float64Array(names.length).fill(Number.NaN), names);
  const trainedOn = model.trainedOn;
  return {
    specificationVersion: 'v1',
    id: model.id,
    lookback: featureEngineer.lookback,
    ...(trainedOn === undefined ? {} : { training: { firstCandle: trainedOn.first, lastCandle: trainedOn.last, horizon: model.horizon } }),
    predict(candles: readonly Candle[], context: PredictorContext): Prediction {
      const fundamentals = {
        ...(context.news === undefined ? {} : { news: context.news }),
        ...(context.marketCapChange === undefined || candles.length === 0 ? {} : { marketCap: [{ timestamp: candles.at(-1)!.timestamp, change: context.marketCapChange }] }),
      };
      const row = featureEngineer.computeLast(candles, { fundamentals });
      const output = model.predict(row, names);
      return predictionSchema.parse({
        action: output.action,
        confidence: output.actionConfidence,
        probabilities: output.probabilities,
        expectedReturn: output.expectedReturn,
        risk: output.risk,
        horizon: model.horizon,
        modelId: model.id,
      });
    },
  };
}
