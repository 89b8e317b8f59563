import { predictionSchema } from '@ia-agents/core';
import { describe, expect, it } from 'vitest';
import { buildTrainingSet } from './ensemble/training-set.js';
import { TradingEnsembleModel } from './ensemble/trading-ensemble-model.js';
import { createEnsemblePredictor } from './ensemble-predictor.js';
import { createFeatureEngineer } from './features/feature-engineer.js';
import { loadFixtureCandles } from './test-support/fixture-candles.js';
import { createTrainingPool } from './training/training-pool.js';

const candles = loadFixtureCandles('coinbase_BTC-USD_4h.csv', 1600);
const small = { id: 'ensemble-test', direction: { trees: 10 }, magnitude: { trees: 4 }, risk: { trees: 4 } };

describe('createEnsemblePredictor', () => {
  it("implements core's Predictor: a schema-valid Prediction from the trailing candles", async () => {
    const featureEngineer = createFeatureEngineer();
    const set = buildTrainingSet(candles.slice(0, 1200), { featureEngineer, labels: { horizon: 2 } });
    const model = await new TradingEnsembleModel(small).train(set, { pool: createTrainingPool({ threads: 1 }) });
    // Loaded from JSON: the predictor rebuilds the feature engineer from the saved options.
    const predictor = createEnsemblePredictor({ model: TradingEnsembleModel.fromJSON(JSON.parse(JSON.stringify(model))) });
    expect(predictor).toMatchObject({ specificationVersion: 'v1', id: 'ensemble-test', lookback: 400 });
    // What it learnt from, saved with it: the first and last training rows' candles and the label horizon.
    expect(predictor.training).toEqual({ firstCandle: set.features.timestamps[0], lastCandle: set.features.timestamps[set.features.rowCount - 1], horizon: 2 });
    expect(predictor.training!.lastCandle).toBe(candles[1200 - 1 - 2]!.timestamp);
    const recent = candles.slice(0, 1500);
    const prediction = await predictor.predict(recent.slice(-predictor.lookback), { symbol: 'BTC/USD', timeframe: '4h' });
    expect(predictionSchema.parse(prediction)).toEqual(prediction);
    const direct = model.predict(featureEngineer.computeLast(recent), featureEngineer.names);
    expect(prediction).toEqual({ action: direct.action, confidence: direct.actionConfidence, probabilities: direct.probabilities, expectedReturn: direct.expectedReturn, risk: direct.risk, horizon: 2, modelId: 'ensemble-test' });
  });

  it('refuses a feature engineer that does not match the model, and too few candles', async () => {
    const set = buildTrainingSet(candles.slice(0, 1000), { featureEngineer: createFeatureEngineer() });
    const model = await new TradingEnsembleModel(small).train(set, { pool: createTrainingPool({ threads: 1 }) });
    expect(() => createEnsemblePredictor({ model, featureEngineer: createFeatureEngineer({ fundamental: true }) })).toThrow(expect.objectContaining({ code: 'FEATURE_MISMATCH' }));
    const predictor = createEnsemblePredictor({ model });
    expect(() => predictor.predict(candles.slice(0, 100), { symbol: 'BTC/USD', timeframe: '4h' })).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });
});
