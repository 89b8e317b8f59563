import type { CandleColumns } from './candle-columns.js';
import { atr, ema, logReturn, macd, rollingStd, rsi, sma } from './indicators.js';

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

/** Element-wise a / b, NaN where b is 0 or either side is NaN. */
function ratio(a: Float64Array, b: Float64Array, minus = 0): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = b[i] === 0 ? Number.NaN : a[i]! / b[i]! - minus;
  return out;
}

function map(length: number, at: (i: number) => number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = at(i);
  return out;
}

function priceFeatures(c: CandleColumns): Record<string, Float64Array> {
  const n = c.close.length;
  const return1 = logReturn(c.close, 1);
  const lines = macd(c.close, 12, 26, 9);
  const middle = sma(c.close, 20);
  const deviation = rollingStd(c.close, 20);
  return {
    return_1: return1,
    return_3: logReturn(c.close, 3),
    return_6: logReturn(c.close, 6),
    return_12: logReturn(c.close, 12),
    return_24: logReturn(c.close, 24),
    // return_1 is NaN at candle 0, so these windows are NaN until they hold `period` real returns.
    volatility_12: rollingStd(return1, 12),
    volatility_48: rollingStd(return1, 48),
    volatility_96: rollingStd(return1, 96),
    rsi_14: rsi(c.close, 14),
    macd: ratio(lines.line, c.close),
    macd_signal: ratio(lines.signal, c.close),
    macd_hist: ratio(lines.histogram, c.close),
    bb_position: map(n, (i) => (deviation[i] === 0 ? Number.NaN : (c.close[i]! - (middle[i]! - 2 * deviation[i]!)) / (4 * deviation[i]!))),
    bb_width: map(n, (i) => (4 * deviation[i]!) / middle[i]!),
    ema_cross: ratio(ema(c.close, 9), ema(c.close, 21), 1),
    price_sma_ratio: ratio(c.close, middle, 1),
    price_sma_50_ratio: ratio(c.close, sma(c.close, 50), 1),
    volume_sma_ratio: ratio(c.volume, sma(c.volume, 20)),
    atr_ratio: ratio(atr(c.high, c.low, c.close, 14), c.close),
    range_ratio: map(n, (i) => (c.high[i]! - c.low[i]!) / c.close[i]!),
    close_position: map(n, (i) => (c.high[i] === c.low[i] ? Number.NaN : (c.close[i]! - c.low[i]!) / (c.high[i]! - c.low[i]!))),
  };
}

/**
 * Computes every technical, temporal and interaction feature for every candle, as columns keyed by
 * name. Values before a feature's warm-up are NaN.
 */
export function computeTechnicalColumns(c: CandleColumns): Record<TechnicalFeature, Float64Array> {
  const n = c.close.length;
  const p = priceFeatures(c);
  const regime = ratio(p.volatility_12!, p.volatility_96!);
  const hour = map(n, (i) => new Date(c.timestamp[i]!).getUTCHours());
  const day = map(n, (i) => new Date(c.timestamp[i]!).getUTCDay());
  const rsiVolume = map(n, (i) => ((p.rsi_14![i]! - 50) / 50) * p.volume_sma_ratio![i]!);
  const momentum = map(n, (i) => (p.volatility_48![i] === 0 ? Number.NaN : p.return_12![i]! / (p.volatility_48![i]! * Math.sqrt(12))));
  const trend = map(n, (i) => p.ema_cross![i]! * regime[i]!);
  const columns: Record<string, Float64Array> = { ...p, hour_of_day: hour, day_of_week: day, volatility_regime: regime, rsi_volume: rsiVolume, momentum_volatility: momentum, trend_regime: trend };
  return Object.fromEntries(TECHNICAL_FEATURES.map((name) => [name, columns[name]!])) as Record<TechnicalFeature, Float64Array>;
}
