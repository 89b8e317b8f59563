import { EmaStream } from './ema.js';
import { nanArray } from './types.js';

/** Periods of MACD. */
export interface MacdOptions {
  /** Fast EMA period. @default 12 */
  fastPeriod?: number;
  /** Slow EMA period. @default 26 */
  slowPeriod?: number;
  /** Signal EMA period. @default 9 */
  signalPeriod?: number;
}

/** MACD columns: line, signal and histogram (NaN during warm-up). */
export interface MacdSeries {
  /** fast EMA - slow EMA. */
  macd: Float64Array;
  /** EMA of the MACD line. */
  signal: Float64Array;
  /** macd - signal. */
  histogram: Float64Array;
}

/**
 * Moving average convergence/divergence, streaming, O(1) per value. Both EMAs and the signal are
 * SMA-seeded exponential averages (TTR's `MACD(close, 12, 26, 9, maType = "EMA", percent = FALSE)`).
 * @example
 * const macd = new MacdStream();
 * macd.update(close);
 * if (macd.histogram > 0) console.log('bullish momentum');
 */
export class MacdStream {
  /** Latest MACD line. */
  macd = Number.NaN;
  /** Latest signal line. */
  signal = Number.NaN;
  /** Latest histogram. */
  histogram = Number.NaN;
  readonly #fast: EmaStream;
  readonly #slow: EmaStream;
  readonly #signal: EmaStream;

  constructor(options: MacdOptions = {}) {
    this.#fast = new EmaStream(options.fastPeriod ?? 12);
    this.#slow = new EmaStream(options.slowPeriod ?? 26);
    this.#signal = new EmaStream(options.signalPeriod ?? 9);
  }

  /** Feeds one close; returns the histogram (NaN until the signal is warm). */
  update(close: number): number {
    const fast = this.#fast.update(close);
    const slow = this.#slow.update(close);
    this.macd = fast - slow;
    this.signal = this.#signal.update(this.macd);
    this.histogram = this.macd - this.signal;
    return this.histogram;
  }
}

/**
 * MACD of a whole series.
 * @example
 * const { macd, signal, histogram } = macdSeries(closes);
 */
export function macdSeries(values: ArrayLike<number>, options: MacdOptions = {}): MacdSeries {
  const stream = new MacdStream(options);
  const out = { macd: nanArray(values.length), signal: nanArray(values.length), histogram: nanArray(values.length) };
  for (let i = 0; i < values.length; i++) {
    stream.update(values[i]!);
    out.macd[i] = stream.macd;
    out.signal[i] = stream.signal;
    out.histogram[i] = stream.histogram;
  }
  return out;
}
