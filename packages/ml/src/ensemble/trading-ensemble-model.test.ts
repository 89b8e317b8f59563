import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFeatureEngineer } from '../features/feature-engineer.js';
import { loadFixtureCandles } from '../test-support/fixture-candles.js';
import { createTrainingPool } from '../training/training-pool.js';
import type { TrainingProgress } from '../training/train-forests.js';
import { TradingEnsembleModel } from './trading-ensemble-model.js';
import { buildTrainingSet } from './training-set.js';

const candles = loadFixtureCandles('coinbase_BTC-USD_4h.csv', 1500);
const featureEngineer = createFeatureEngineer();
const set = buildTrainingSet(candles, { featureEngineer, labels: { horizon: 1, deadBand: 0.002 } });
const small = { direction: { trees: 12 }, magnitude: { trees: 6 }, risk: { trees: 6 } };
const inThread = () => createTrainingPool({ threads: 1 });

describe('TradingEnsembleModel', () => {
  it('refuses to predict before training, with NOT_TRAINED', () => {
    const model = new TradingEnsembleModel();
    expect(model.isTrained).toBe(false);
    expect(() => model.predict(new Float64Array(26))).toThrow(expect.objectContaining({ code: 'NOT_TRAINED' }));
    expect(() => model.toJSON()).toThrow(expect.objectContaining({ code: 'NOT_TRAINED' }));
  });

  it('trains on real candles and predicts probabilities, magnitude, risk, confidence and an action', async () => {
    const progress: TrainingProgress[] = [];
    const model = await new TradingEnsembleModel(small).train(set, { pool: inThread(), onProgress: (p) => progress.push(p) });
    expect(progress.filter((p) => p.stage === 'trees').at(-1)).toEqual({ stage: 'trees', completedTrees: 24, totalTrees: 24 });
    expect(progress.at(-1)?.stage).toBe('done');
    const row = set.features.values.subarray(0, set.features.names.length);
    const output = model.predict(row, set.features.names);
    const { down, flat, up } = output.probabilities;
    expect(down + flat + up).toBeCloseTo(1, 6);
    expect(output.risk).toBeGreaterThanOrEqual(0);
    expect(output.confidence).toBeGreaterThan(0);
    expect(output.confidence).toBeLessThan(1);
    const expected = up > down && up > flat ? 'BUY' : down > up && down > flat ? 'SELL' : 'HOLD';
    expect(output.action).toBe(expected);
  });

  it('turns a BUY or SELL below minConfidence into HOLD', async () => {
    const model = await new TradingEnsembleModel({ ...small, minConfidence: 1 }).train(set, { pool: inThread() });
    const width = set.features.names.length;
    for (let r = 0; r < 50; r++) {
      const output = model.predict(set.features.values.subarray(r * width, (r + 1) * width));
      expect(output.action).toBe('HOLD');
      if (Math.max(output.probabilities.up, output.probabilities.down) > output.probabilities.flat) expect(output.actionConfidence).toBeCloseTo(1 - output.confidence, 12);
    }
  });

  it('refuses a row with other features, naming them, with FEATURE_MISMATCH', async () => {
    const model = await new TradingEnsembleModel(small).train(set, { pool: inThread() });
    const names = [...set.features.names];
    const row = new Float64Array(names.length);
    expect(() => model.predict(row.subarray(1))).toThrow(expect.objectContaining({ code: 'FEATURE_MISMATCH' }));
    expect(() => model.predict(row, ['news_sentiment', ...names.slice(1)])).toThrow(/missing return_1; unexpected news_sentiment/);
    expect(() => model.predict(row, [names[1]!, names[0]!, ...names.slice(2)])).toThrow(/another order/);
  });

  it('saves and loads: same predictions, format and version checked on load', async () => {
    const model = await new TradingEnsembleModel(small).train(set, { pool: inThread() });
    const json = JSON.parse(JSON.stringify(model)) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'ia-agents.trading-ensemble', version: 1, horizon: 1, featureNames: set.features.names });
    const loaded = TradingEnsembleModel.fromJSON(json);
    const width = set.features.names.length;
    for (let r = 0; r < 20; r++) {
      const row = set.features.values.subarray(r * width, (r + 1) * width);
      expect(loaded.predict(row)).toEqual(model.predict(row));
    }
    expect(() => TradingEnsembleModel.fromJSON({ ...json, version: 2 })).toThrow(expect.objectContaining({ code: 'MODEL_FORMAT_INVALID', message: expect.stringMatching(/version/) }));
    expect(() => TradingEnsembleModel.fromJSON({ ...json, featureNames: ['only_one'] })).toThrow(/direction.featureCount: expected 1/);
    expect(() => TradingEnsembleModel.fromJSON('nonsense')).toThrow(expect.objectContaining({ code: 'MODEL_FORMAT_INVALID' }));
  });

  it('loads a model saved by version 1 before the flat predictor and predicts exactly what it predicted then', () => {
    const saved = JSON.parse(readFileSync(new URL('../../fixtures/model-v1.json', import.meta.url), 'utf8')) as { model: unknown; predictions: Array<{ row: number[]; prediction: unknown }> };
    const model = TradingEnsembleModel.fromJSON(saved.model);
    expect(model.featureNames).toEqual(set.features.names);
    expect(saved.predictions).toHaveLength(11);
    for (const { row, prediction } of saved.predictions) expect(model.predict(Float64Array.from(row))).toEqual(prediction);
    // Saved again, it is the same document: the format did not change.
    expect(JSON.parse(JSON.stringify(model))).toEqual(saved.model);
  });

  it('is deterministic: the same seed trains the same model', async () => {
    const a = await new TradingEnsembleModel({ ...small, seed: 9 }).train(set, { pool: inThread() });
    const b = await new TradingEnsembleModel({ ...small, seed: 9 }).train(set, { pool: inThread() });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('rejects a malformed training set and bad options with the field names', async () => {
    await expect(new TradingEnsembleModel(small).train({ ...set, risk: set.risk.subarray(1) }, { pool: inThread() })).rejects.toThrow(/risk: expected \d+ labels/);
    expect(() => new TradingEnsembleModel({ direction: { trees: 0 } })).toThrow(/direction.*trees/);
    expect(() => new TradingEnsembleModel({ minConfidence: 2 })).toThrow(/minConfidence/);
  });
});
