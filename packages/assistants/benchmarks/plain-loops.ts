/**
 * Plain Float64Array loops, written the obvious way (windows rescanned where that is the obvious
 * way), as the baseline the goal is stated against: "all nine within 3x of such a loop".
 * They compute the same conventions as our kernels (not checked here; the tests check ours).
 */
type Columns = { high: Float64Array; low: Float64Array; close: Float64Array };

export function plainSma(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]! - (i >= period ? values[i - period]! : 0);
    out[i] = i >= period - 1 ? sum / period : Number.NaN;
  }
  return out;
}

export function plainEma(values: Float64Array, period: number, alpha = 2 / (period + 1)): Float64Array {
  const out = new Float64Array(values.length);
  let value = 0;
  for (let i = 0; i < values.length; i++) {
    value = i < period ? value + values[i]! / period : value + alpha * (values[i]! - value);
    out[i] = i >= period - 1 ? value : Number.NaN;
  }
  return out;
}

export function plainRsi(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < values.length; i++) {
    const change = values[i]! - values[i - 1]!;
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    if (i <= period) {
      gain += up / period;
      loss += down / period;
    } else {
      gain += (up - gain) / period;
      loss += (down - loss) / period;
    }
    out[i] = i >= period ? (100 * gain) / (gain + loss) : Number.NaN;
  }
  return out;
}

export function plainMacd(values: Float64Array): Float64Array {
  const fast = plainEma(values, 12);
  const slow = plainEma(values, 26);
  const line = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) line[i] = fast[i]! - slow[i]!;
  return plainEma(line.subarray(25), 9);
}

export function plainBollinger(values: Float64Array, period = 20): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = period - 1; i < values.length; i++) {
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += values[j]!;
    const mean = sum / period;
    let squares = 0;
    for (let j = i - period + 1; j <= i; j++) squares += (values[j]! - mean) ** 2;
    out[i] = mean + 2 * Math.sqrt(squares / period);
  }
  return out;
}

function extremes(columns: Columns, i: number, period: number): [number, number] {
  let highest = -Infinity;
  let lowest = Infinity;
  for (let j = i - period + 1; j <= i; j++) {
    if (columns.high[j]! > highest) highest = columns.high[j]!;
    if (columns.low[j]! < lowest) lowest = columns.low[j]!;
  }
  return [highest, lowest];
}

export function plainStochastic(columns: Columns, period = 14): Float64Array {
  const k = new Float64Array(columns.close.length);
  for (let i = period - 1; i < k.length; i++) {
    const [highest, lowest] = extremes(columns, i, period);
    k[i] = (100 * (columns.close[i]! - lowest)) / (highest - lowest);
  }
  return plainSma(k, 3);
}

export function plainWilliamsR(columns: Columns, period = 14): Float64Array {
  const out = new Float64Array(columns.close.length);
  for (let i = period - 1; i < out.length; i++) {
    const [highest, lowest] = extremes(columns, i, period);
    out[i] = (-100 * (highest - columns.close[i]!)) / (highest - lowest);
  }
  return out;
}

export function plainCci(columns: Columns, period = 20): Float64Array {
  const n = columns.close.length;
  const typical = new Float64Array(n);
  for (let i = 0; i < n; i++) typical[i] = (columns.high[i]! + columns.low[i]! + columns.close[i]!) / 3;
  const average = plainSma(typical, period);
  const out = new Float64Array(n);
  for (let i = period - 1; i < n; i++) {
    let deviation = 0;
    for (let j = i - period + 1; j <= i; j++) deviation += Math.abs(typical[j]! - average[i]!);
    out[i] = (typical[i]! - average[i]!) / ((0.015 * deviation) / period);
  }
  return out;
}

export function plainAtr(columns: Columns, period = 14): Float64Array {
  const n = columns.close.length;
  const range = new Float64Array(n);
  for (let i = 1; i < n; i++) range[i] = Math.max(columns.high[i]! - columns.low[i]!, Math.abs(columns.high[i]! - columns.close[i - 1]!), Math.abs(columns.low[i]! - columns.close[i - 1]!));
  return plainEma(range.subarray(1), period, 1 / period);
}

export function plainAdx(columns: Columns, period = 14): Float64Array {
  const n = columns.close.length;
  const out = new Float64Array(n);
  let [tr, plus, minus, adx] = [0, 0, 0, 0];
  for (let i = 1; i < n; i++) {
    const up = columns.high[i]! - columns.high[i - 1]!;
    const down = columns.low[i - 1]! - columns.low[i]!;
    const range = Math.max(columns.high[i]! - columns.low[i]!, Math.abs(columns.high[i]! - columns.close[i - 1]!), Math.abs(columns.low[i]! - columns.close[i - 1]!));
    const keep = i <= period ? 1 : (period - 1) / period;
    tr = tr * keep + range;
    plus = plus * keep + (up > down && up > 0 ? up : 0);
    minus = minus * keep + (down > up && down > 0 ? down : 0);
    const dx = (100 * Math.abs(plus - minus)) / (plus + minus);
    adx = i < 2 * period ? adx + dx / period : adx + (dx - adx) / period;
    out[i] = adx;
  }
  return out;
}
