import { checkPeriod } from './types.js';

/** Options of EmaStream. */
export interface EmaOptions {
  /** Use Wilder's smoothing (alpha = 1/period) instead of alpha = 2/(period+1). @default false */
  wilder?: boolean;
}

/**
 * Exponential moving average, streaming, O(1) per value. Seeded with the simple average of the
 * first `period` values (TTR's and technicalindicators' convention), then
 * `ema = prev + alpha * (x - prev)`. NaN inputs before the seed are skipped (so an EMA of a
 * series with a leading warm-up, such as MACD's line, starts `period` values after it).
 * @example
 * const ema = new EmaStream(20);
 * const value = ema.update(close);
 */
export class EmaStream {
  /** Window length. */
  readonly period: number;
  /** Smoothing factor. */
  readonly alpha: number;
  /** Latest value (NaN during warm-up). */
  value = Number.NaN;
  #seedSum = 0;
  #seen = 0;

  constructor(period: number, options: EmaOptions = {}) {
    checkPeriod('EMA period', period);
    this.period = period;
    this.alpha = options.wilder === true ? 1 / period : 2 / (period + 1);
  }

  /** Feeds one value and returns the average (NaN during warm-up). */
  update(x: number): number {
    if (this.#seen >= this.period) {
      this.value += this.alpha * (x - this.value);
      return this.value;
    }
    if (Number.isNaN(x)) return Number.NaN;
    this.#seedSum += x;
    this.#seen += 1;
    if (this.#seen === this.period) this.value = this.#seedSum / this.period;
    return this.value;
  }
}

/**
 * Exponential moving average of a whole series (NaN during warm-up).
 * @example
 * const averages = ema(closes, 20);
 */
export function ema(values: ArrayLike<number>, period: number, options: EmaOptions = {}): Float64Array {
  checkPeriod('EMA period', period);
  // EmaStream's arithmetic, inlined: a method call per value cost the batch 3x a plain loop.
  const alpha = options.wilder === true ? 1 / period : 2 / (period + 1);
  // One element type in the loop keeps it monomorphic (MACD passes its own Float64Array lines).
  const input = values instanceof Float64Array ? values : Float64Array.from(values);
  const out = new Float64Array(input.length);
  let value = Number.NaN;
  let seedSum = 0;
  let seen = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    if (seen >= period) {
      value += alpha * (x - value);
    } else if (Number.isNaN(x)) {
      out[i] = Number.NaN;
      continue;
    } else {
      seedSum += x;
      seen += 1;
      if (seen === period) value = seedSum / period;
    }
    out[i] = value;
  }
  return out;
}
