/**
 * Causal indicator loops on typed arrays. Every output at index t uses inputs at indices <= t only,
 * and is NaN until the indicator has seen enough data (no made-up warm-up values). An optional
 * `out` array of the input's length is written instead of a new one (a prediction reuses its arrays).
 */

/** Simple moving average over `period` values. */
export function sma(values: Float64Array, period: number, out: Float64Array = new Float64Array(values.length)): Float64Array {
  out.fill(Number.NaN);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= period) sum -= values[i - period]!;
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}

/** Exponential moving average seeded with the SMA of the first `period` values (TTR's convention). */
export function ema(values: Float64Array, period: number, start = 0, out: Float64Array = new Float64Array(values.length)): Float64Array {
  out.fill(Number.NaN);
  const alpha = 2 / (period + 1);
  let seed = 0;
  for (let i = start; i < values.length; i++) {
    const index = i - start;
    if (index < period - 1) {
      seed += values[i]!;
    } else if (index === period - 1) {
      out[i] = (seed + values[i]!) / period;
    } else {
      out[i] = out[i - 1]! + alpha * (values[i]! - out[i - 1]!);
    }
  }
  return out;
}

/** Wilder's RSI, seeded with the mean gain and loss of the first `period` changes. */
export function rsi(close: Float64Array, period: number, out: Float64Array = new Float64Array(close.length)): Float64Array {
  out.fill(Number.NaN);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < close.length; i++) {
    const change = close[i]! - close[i - 1]!;
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    if (i <= period) {
      gain += up / period;
      loss += down / period;
      if (i < period) continue;
    } else {
      gain = (gain * (period - 1) + up) / period;
      loss = (loss * (period - 1) + down) / period;
    }
    out[i] = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
  }
  return out;
}

/** MACD lines, with the two EMAs they come from. */
export interface MacdLines {
  line: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
  fast: Float64Array;
  slow: Float64Array;
}

/** MACD line, signal line and histogram (price units); `out` reuses arrays of the input's length. */
export function macd(close: Float64Array, fast: number, slow: number, signal: number, out?: MacdLines): MacdLines {
  const n = close.length;
  const lines = out ?? { line: new Float64Array(n), signal: new Float64Array(n), histogram: new Float64Array(n), fast: new Float64Array(n), slow: new Float64Array(n) };
  ema(close, fast, 0, lines.fast);
  ema(close, slow, 0, lines.slow);
  for (let i = 0; i < n; i++) lines.line[i] = lines.fast[i]! - lines.slow[i]!;
  ema(lines.line, signal, slow - 1, lines.signal);
  for (let i = 0; i < n; i++) lines.histogram[i] = lines.line[i]! - lines.signal[i]!;
  return lines;
}

/** Rolling population standard deviation over `period` values (NaN inputs make the window NaN). */
export function rollingStd(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  for (let i = period - 1; i < values.length; i++) out[i] = rollingStdAt(values, period, i);
  return out;
}

/** {@link rollingStd} at index `i` only: the window `i - period + 1 .. i`, NaN before it is full. */
export function rollingStdAt(values: Float64Array, period: number, i: number): number {
  if (i < period - 1) return Number.NaN;
  let sum = 0;
  let sumSquares = 0;
  for (let j = i - period + 1; j <= i; j++) {
    sum += values[j]!;
    sumSquares += values[j]! * values[j]!;
  }
  const mean = sum / period;
  return Math.sqrt(Math.max(0, sumSquares / period - mean * mean));
}

/** Wilder's average true range; the first bar has no true range. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array = new Float64Array(close.length)): Float64Array {
  out.fill(Number.NaN);
  let sum = 0;
  for (let i = 1; i < close.length; i++) {
    const trueRange = Math.max(high[i]! - low[i]!, Math.abs(high[i]! - close[i - 1]!), Math.abs(low[i]! - close[i - 1]!));
    if (i < period) {
      sum += trueRange;
    } else if (i === period) {
      out[i] = (sum + trueRange) / period;
    } else {
      out[i] = (out[i - 1]! * (period - 1) + trueRange) / period;
    }
  }
  return out;
}

/** Log return over `lag` bars: ln(close[t] / close[t - lag]). */
export function logReturn(close: Float64Array, lag: number, out: Float64Array = new Float64Array(close.length)): Float64Array {
  out.fill(Number.NaN);
  for (let i = lag; i < close.length; i++) out[i] = Math.log(close[i]! / close[i - lag]!);
  return out;
}
