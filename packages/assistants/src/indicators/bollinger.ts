import { checkPeriod, nanArray } from './types.js';

const RESYNC_EVERY = 4096;

/** Bollinger Bands settings. */
export interface BollingerOptions {
  /** Window length. @default 20 */
  period?: number;
  /** Band width in standard deviations. @default 2 */
  stdDev?: number;
}

/** Bollinger columns (NaN during warm-up). */
export interface BollingerSeries {
  /** middle - stdDev * sd. */
  lower: Float64Array;
  /** Simple moving average. */
  middle: Float64Array;
  /** middle + stdDev * sd. */
  upper: Float64Array;
}

/**
 * Bollinger Bands with the population standard deviation (TTR's `BBands(close, 20, sd = 2)`),
 * streaming in O(1) per value: the window's mean and sum of squared deviations are updated with
 * the sliding form of Welford's algorithm (stable where a running sum of squares would cancel on
 * prices around 1e4), and recomputed exactly every 4096 updates.
 * @example
 * const bands = new BollingerStream();
 * bands.update(close);
 * const percentB = (close - bands.lower) / (bands.upper - bands.lower);
 */
export class BollingerStream {
  /** Window length. */
  readonly period: number;
  /** Width in standard deviations. */
  readonly stdDev: number;
  /** Latest lower band. */
  lower = Number.NaN;
  /** Latest middle band. */
  middle = Number.NaN;
  /** Latest upper band. */
  upper = Number.NaN;
  readonly #window: Float64Array;
  #mean = 0;
  #m2 = 0;
  #count = 0;
  #slot = 0;
  #untilResync = RESYNC_EVERY;

  constructor(options: BollingerOptions = {}) {
    this.period = options.period ?? 20;
    this.stdDev = options.stdDev ?? 2;
    checkPeriod('Bollinger period', this.period);
    this.#window = new Float64Array(this.period);
  }

  /** Feeds one close; returns the middle band (NaN during warm-up). */
  update(x: number): number {
    const n = this.period;
    const slot = this.#slot;
    if (this.#count < n) this.#grow(x);
    else this.#slide(x, this.#window[slot]!);
    this.#window[slot] = x;
    this.#slot = slot + 1 === n ? 0 : slot + 1;
    this.#count += 1;
    if (--this.#untilResync === 0) {
      this.#untilResync = RESYNC_EVERY;
      this.#resync();
    }
    if (this.#count < n) return Number.NaN;
    const width = this.stdDev * Math.sqrt(Math.max(0, this.#m2) / n);
    this.middle = this.#mean;
    this.lower = this.#mean - width;
    this.upper = this.#mean + width;
    return this.middle;
  }

  #grow(x: number): void {
    const delta = x - this.#mean;
    this.#mean += delta / (this.#count + 1);
    this.#m2 += delta * (x - this.#mean);
  }

  #slide(x: number, old: number): void {
    const previousMean = this.#mean;
    this.#mean += (x - old) / this.period;
    this.#m2 += (x - old) * (x - this.#mean + old - previousMean);
  }

  #resync(): void {
    let sum = 0;
    for (let i = 0; i < this.period; i++) sum += this.#window[i]!;
    const mean = sum / this.period;
    let m2 = 0;
    for (let i = 0; i < this.period; i++) m2 += (this.#window[i]! - mean) ** 2;
    this.#mean = mean;
    this.#m2 = m2;
  }
}

/**
 * Bollinger Bands of a whole series.
 * @example
 * const { lower, middle, upper } = bollinger(closes, { period: 20, stdDev: 2 });
 */
export function bollinger(values: ArrayLike<number>, options: BollingerOptions = {}): BollingerSeries {
  const stream = new BollingerStream(options);
  const out = { lower: nanArray(values.length), middle: nanArray(values.length), upper: nanArray(values.length) };
  for (let i = 0; i < values.length; i++) {
    stream.update(values[i]!);
    if (i < stream.period - 1) continue;
    out.lower[i] = stream.lower;
    out.middle[i] = stream.middle;
    out.upper[i] = stream.upper;
  }
  return out;
}
