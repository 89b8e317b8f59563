import { RollingExtreme } from './rolling-extreme.js';
import { SmaStream } from './sma.js';
import { checkPeriod, columnsLength, nanArray, type HlcColumns } from './types.js';

/** Stochastic oscillator settings. */
export interface StochasticOptions {
  /** %K look-back. @default 14 */
  period?: number;
  /** %D smoothing (SMA of %K). @default 3 */
  signalPeriod?: number;
}

/** %K and %D columns (NaN during warm-up). */
export interface StochasticSeries {
  /** Raw %K in [0, 100]. */
  k: Float64Array;
  /** %D = SMA of %K. */
  d: Float64Array;
}

/**
 * Fast stochastic oscillator (TTR's `100 * stoch(HLC, nFastK = 14, nFastD = 3)`), streaming,
 * amortised O(1) per candle. A window whose high equals its low (no range) gives %K = 50, where
 * TTR gives NaN and stops.
 * @example
 * const stochastic = new StochasticStream();
 * stochastic.update(candle.high, candle.low, candle.close);
 */
export class StochasticStream {
  /** Look-back. */
  readonly period: number;
  /** Latest %K. */
  k = Number.NaN;
  /** Latest %D. */
  d = Number.NaN;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  readonly #signal: SmaStream;
  #count = 0;

  constructor(options: StochasticOptions = {}) {
    this.period = options.period ?? 14;
    checkPeriod('Stochastic period', this.period);
    this.#highest = new RollingExtreme(this.period, 'max');
    this.#lowest = new RollingExtreme(this.period, 'min');
    this.#signal = new SmaStream(options.signalPeriod ?? 3);
  }

  /** Feeds one candle; returns %K (NaN during warm-up). */
  update(high: number, low: number, close: number): number {
    const highest = this.#highest.update(high);
    const lowest = this.#lowest.update(low);
    this.#count += 1;
    if (this.#count < this.period) return Number.NaN;
    const range = highest - lowest;
    this.k = range === 0 ? 50 : (100 * (close - lowest)) / range;
    this.d = this.#signal.update(this.k);
    return this.k;
  }
}

/**
 * Stochastic oscillator of whole columns.
 * @example
 * const { k, d } = stochastic({ high, low, close });
 */
export function stochastic(columns: HlcColumns, options: StochasticOptions = {}): StochasticSeries {
  const length = columnsLength(columns);
  const stream = new StochasticStream(options);
  const out = { k: nanArray(length), d: nanArray(length) };
  for (let i = 0; i < length; i++) {
    out.k[i] = stream.update(columns.high[i]!, columns.low[i]!, columns.close[i]!);
    if (i >= stream.period - 1) out.d[i] = stream.d;
  }
  return out;
}
