/**
 * Causal indicator loops on typed arrays. Every output at index t uses inputs at indices <= t only,
 * and is NaN until the indicator has seen enough data (no made-up warm-up values).
 */

/** Simple moving average over `period` values. */
export function sma(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= period) sum -= values[i - period]!;
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}

/** Exponential moving average seeded with the SMA of the first `period` values (TTR's convention). */
export function ema(values: Float64Array, period: number, start = 0): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
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
export function rsi(close: Float64Array, period: number): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN);
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

/** MACD line, signal line and histogram (price units). */
export function macd(close: Float64Array, fast: number, slow: number, signal: number): { line: Float64Array; signal: Float64Array; histogram: Float64Array } {
  const fastEma = ema(close, fast);
  const slowEma = ema(close, slow);
  const line = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) line[i] = fastEma[i]! - slowEma[i]!;
  const signalLine = ema(line, signal, slow - 1);
  const histogram = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) histogram[i] = line[i]! - signalLine[i]!;
  return { line, signal: signalLine, histogram };
}

/** Rolling population standard deviation over `period` values (NaN inputs make the window NaN). */
export function rollingStd(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  for (let i = period - 1; i < values.length; i++) {
    let sum = 0;
    let sumSquares = 0;
    for (let j = i - period + 1; j <= i; j++) {
      sum += values[j]!;
      sumSquares += values[j]! * values[j]!;
    }
    const mean = sum / period;
    out[i] = Math.sqrt(Math.max(0, sumSquares / period - mean * mean));
  }
  return out;
}

/** Wilder's average true range; the first bar has no true range. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN);
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
export function logReturn(close: Float64Array, lag: number): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN);
  for (let i = lag; i < close.length; i++) out[i] = Math.log(close[i]! / close[i - lag]!);
  return out;
}
