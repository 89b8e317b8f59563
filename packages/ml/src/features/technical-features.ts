import type { CandleColumns } from './candle-columns.js';
import { atr, ema, logReturn, macd, rollingStdAt, rsi, sma, type MacdLines } from './indicators.js';

/** Names of the technical, temporal and interaction features, in column order. */
export const TECHNICAL_FEATURES = [
  'return_1',
  'return_3',
  'return_6',
  'return_12',
  'return_24',
  'volatility_12',
  'volatility_48',
  'rsi_14',
  'macd',
  'macd_signal',
  'macd_hist',
  'bb_position',
  'bb_width',
  'ema_cross',
  'price_sma_ratio',
  'price_sma_50_ratio',
  'volume_sma_ratio',
  'atr_ratio',
  'range_ratio',
  'close_position',
  'hour_of_day',
  'day_of_week',
  'volatility_regime',
  'rsi_volume',
  'momentum_volatility',
  'trend_regime',
] as const;

/** A technical feature name. */
export type TechnicalFeature = (typeof TECHNICAL_FEATURES)[number];

/**
 * Index of the first candle at which every technical feature is defined: the 96-bar volatility
 * window of the regime feature needs 96 one-bar returns, which start at candle 1.
 */
export const TECHNICAL_WARMUP = 96;

/** The indicator series every row is computed from: one O(n) pass each, no per-row windows. */
export interface TechnicalSeries {
  /** The candles. */
  readonly c: CandleColumns;
  /** One-bar log return. */
  readonly return1: Float64Array;
  readonly ema9: Float64Array;
  readonly ema21: Float64Array;
  readonly macd: MacdLines;
  readonly sma20: Float64Array;
  readonly sma50: Float64Array;
  readonly volumeSma20: Float64Array;
  readonly rsi14: Float64Array;
  readonly atr14: Float64Array;
}

/**
 * Computes the indicator series of `c` (recursive and running-sum indicators over the whole input).
 * With `reuse` (series of the same length), its arrays are overwritten instead of allocating new ones.
 */
export function technicalSeries(c: CandleColumns, reuse?: TechnicalSeries): TechnicalSeries {
  const r = reuse !== undefined && reuse.return1.length === c.close.length ? reuse : undefined;
  return {
    c,
    return1: logReturn(c.close, 1, r?.return1),
    ema9: ema(c.close, 9, 0, r?.ema9),
    ema21: ema(c.close, 21, 0, r?.ema21),
    macd: macd(c.close, 12, 26, 9, r?.macd),
    sma20: sma(c.close, 20, r?.sma20),
    sma50: sma(c.close, 50, r?.sma50),
    volumeSma20: sma(c.volume, 20, r?.volumeSma20),
    rsi14: rsi(c.close, 14, r?.rsi14),
    atr14: atr(c.high, c.low, c.close, 14, r?.atr14),
  };
}

/** a / b - minus, NaN where b is 0 (NaN in, NaN out). */
const ratio = (a: number, b: number, minus = 0): number => (b === 0 ? Number.NaN : a / b - minus);

/** Log return over `lag` bars at i, NaN before the first `lag` bars. */
const returnAt = (close: Float64Array, i: number, lag: number): number => (i >= lag ? Math.log(close[i]! / close[i - lag]!) : Number.NaN);

/**
 * Writes the technical, temporal and interaction features of candle `i`, in
 * {@link TECHNICAL_FEATURES} order, to `out` from `at`. Windowed values (rolling deviations) are
 * computed for this candle only, so one row costs O(window), not O(candles x window): this is what
 * makes `computeLast` cheap, and the full matrix uses the very same code, so both agree bit for bit.
 */
export function writeTechnicalRow(s: TechnicalSeries, i: number, out: Float64Array, at: number): void {
  const { c } = s;
  const close = c.close[i]!;
  const volatility12 = rollingStdAt(s.return1, 12, i);
  const volatility48 = rollingStdAt(s.return1, 48, i);
  const regime = ratio(volatility12, rollingStdAt(s.return1, 96, i));
  const deviation = rollingStdAt(c.close, 20, i);
  const middle = s.sma20[i]!;
  const rsi14 = s.rsi14[i]!;
  const volumeRatio = ratio(c.volume[i]!, s.volumeSma20[i]!);
  const emaCross = ratio(s.ema9[i]!, s.ema21[i]!, 1);
  const return12 = returnAt(c.close, i, 12);
  const date = new Date(c.timestamp[i]!);
  const high = c.high[i]!;
  const low = c.low[i]!;
  out[at] = s.return1[i]!;
  out[at + 1] = returnAt(c.close, i, 3);
  out[at + 2] = returnAt(c.close, i, 6);
  out[at + 3] = return12;
  out[at + 4] = returnAt(c.close, i, 24);
  out[at + 5] = volatility12;
  out[at + 6] = volatility48;
  out[at + 7] = rsi14;
  out[at + 8] = ratio(s.macd.line[i]!, close);
  out[at + 9] = ratio(s.macd.signal[i]!, close);
  out[at + 10] = ratio(s.macd.histogram[i]!, close);
  out[at + 11] = deviation === 0 ? Number.NaN : (close - (middle - 2 * deviation)) / (4 * deviation);
  out[at + 12] = (4 * deviation) / middle;
  out[at + 13] = emaCross;
  out[at + 14] = ratio(close, middle, 1);
  out[at + 15] = ratio(close, s.sma50[i]!, 1);
  out[at + 16] = volumeRatio;
  out[at + 17] = ratio(s.atr14[i]!, close);
  out[at + 18] = (high - low) / close;
  out[at + 19] = high === low ? Number.NaN : (close - low) / (high - low);
  out[at + 20] = date.getUTCHours();
  out[at + 21] = date.getUTCDay();
  out[at + 22] = regime;
  out[at + 23] = ((rsi14 - 50) / 50) * volumeRatio;
  out[at + 24] = volatility48 === 0 ? Number.NaN : return12 / (volatility48 * Math.sqrt(12));
  out[at + 25] = emaCross * regime;
}
