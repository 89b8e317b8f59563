import { EmaStream } from './ema.js';
import { checkPeriod, nanArray } from './types.js';

/**
 * Relative strength index with Wilder's smoothing, streaming, O(1) per value. Matches R TTR's
 * `RSI(close, n, maType = "EMA", wilder = TRUE)` in full precision: the average gain and loss are
 * seeded with the simple average of the first `period` changes, so the first value comes at index
 * `period`. Unlike technicalindicators, the value is NOT rounded to 2 decimals (rounding moves a
 * 70/30 threshold test by up to 0.005 and makes streaming and batch disagree with the reference).
 * A window without any price movement gives 50.
 * @example
 * const rsi = new RsiStream(14);
 * const value = rsi.update(close);
 */
export class RsiStream {
  /** Window length. */
  readonly period: number;
  /** Latest value in [0, 100] (NaN during warm-up). */
  value = Number.NaN;
  readonly #gain: EmaStream;
  readonly #loss: EmaStream;
  #previous = Number.NaN;

  constructor(period = 14) {
    checkPeriod('RSI period', period);
    this.period = period;
    this.#gain = new EmaStream(period, { wilder: true });
    this.#loss = new EmaStream(period, { wilder: true });
  }

  /** Feeds one close and returns the RSI (NaN during warm-up). */
  update(close: number): number {
    const previous = this.#previous;
    this.#previous = close;
    if (Number.isNaN(previous)) return Number.NaN;
    const change = close - previous;
    const gain = this.#gain.update(change > 0 ? change : 0);
    const loss = this.#loss.update(change < 0 ? -change : 0);
    if (Number.isNaN(gain)) return Number.NaN;
    const total = gain + loss;
    this.value = total === 0 ? 50 : (100 * gain) / total;
    return this.value;
  }
}

/**
 * RSI of a whole series (NaN during warm-up).
 * @example
 * const values = rsi(closes, 14);
 */
export function rsi(values: ArrayLike<number>, period = 14): Float64Array {
  const stream = new RsiStream(period);
  const out = nanArray(values.length);
  for (let i = 0; i < values.length; i++) out[i] = stream.update(values[i]!);
  return out;
}
