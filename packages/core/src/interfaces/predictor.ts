import type { Candle, NewsItem, Prediction, Timeframe } from '../schemas/index.js';

/** What a predictor is told besides the candles. */
export interface PredictorContext {
  /** Unified symbol. */
  symbol: string;
  /** Timeframe of the candles. */
  timeframe: Timeframe;
  /** Recent news, when known. */
  news?: readonly NewsItem[];
  /** Market-cap change, when known. */
  marketCapChange?: number;
}

/**
 * A machine-learning forecaster (version 1). The engine puts its prediction in the snapshot and the
 * strategist uses it. `candles` are closed candles, oldest first, never past the decision time.
 */
export interface Predictor {
  /** Interface version. */
  readonly specificationVersion: 'v1';
  /** Model id, e.g. `ensemble-2026-11-27`. */
  readonly id: string;
  /** How many trailing candles it needs. */
  readonly lookback: number;
  /**
   * The candles it learnt from, when it knows: it learnt their future up to `lastCandle` plus
   * `horizon` candles (the last training row's label). A backtest that trades a candle it learnt
   * would look ahead: `runBacktest` refuses one.
   */
  readonly training?: { firstCandle: number; lastCandle: number; horizon: number };
  /** Forecast from the trailing candles. */
  predict(candles: readonly Candle[], context: PredictorContext): Promise<Prediction> | Prediction;
}
