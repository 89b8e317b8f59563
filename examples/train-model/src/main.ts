/**
 * Trains the four-model trading ensemble on real Coinbase BTC/USD 4h candles, evaluates it
 * walk-forward against a majority-class and a persistence baseline, saves it as JSON, loads it
 * back and asks it for a prediction the way the trading engine does. Offline, about 10-20 s.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candle } from '@ia-agents/core';
import { createEnsemblePredictor, formatWalkForwardReport, trainAndEvaluate, TradingEnsembleModel } from '@ia-agents/ml';

/** Reads `timestamp_ms,open,high,low,close,volume` rows; the exchange package has the full CSV feed. */
function readCandles(path: URL, last: number): Candle[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1).slice(-last);
  return lines.map((line) => {
    const [timestamp, open, high, low, close, volume] = line.split(',').map(Number);
    return { timestamp: timestamp!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
  });
}

// Real candles (MIT, ta4j; provenance in packages/ml/fixtures/README.md): the last 8,000 of 20,695.
const candles = readCandles(new URL('../../../packages/ml/fixtures/coinbase_BTC-USD_4h.csv', import.meta.url), 8000);
console.log(`${candles.length} Coinbase BTC/USD 4h candles, ${new Date(candles[0]!.timestamp).toISOString().slice(0, 10)} to ${new Date(candles.at(-1)!.timestamp).toISOString().slice(0, 10)}\n`);

const started = performance.now();
const { model, report } = await trainAndEvaluate({
  candles,
  labels: { horizon: 1, deadBand: 0.002 },
  walkForward: { trainSize: 3000, testSize: 1000, mode: 'rolling' },
  onProgress: (progress) => {
    if (progress.phase === 'evaluate') process.stdout.write(`\rwalk-forward fold ${progress.fold}/${progress.folds}   `);
    else if (progress.stage === 'done') process.stdout.write('\rfinal model trained            \n\n');
  },
});
console.log(formatWalkForwardReport(report!));
console.log(`\nTrained and evaluated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const directory = mkdtempSync(join(tmpdir(), 'ia-agents-train-model-'));
const file = join(directory, 'model.json');
writeFileSync(file, JSON.stringify(model));
console.log(`Saved the model to ${file}`);

// What the server does at start-up with MODEL_FILE=model.json (and `ia-agents backtest --model model.json`):
// load the saved model and hand the engine a Predictor.
const predictor = createEnsemblePredictor({ model: TradingEnsembleModel.fromJSON(JSON.parse(readFileSync(file, 'utf8'))) });
const prediction = await predictor.predict(candles.slice(-predictor.lookback), { symbol: 'BTC/USD', timeframe: '4h' });
console.log(`\nPrediction for the candle after ${new Date(candles.at(-1)!.timestamp).toISOString()}:`);
console.log(JSON.stringify(prediction, null, 2));
