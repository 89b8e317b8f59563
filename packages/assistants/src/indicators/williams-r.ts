import { RollingExtreme } from './rolling-extreme.js';
import { checkPeriod, columnsLength, nanArray, type HlcColumns } from './types.js';

/**
 * Williams %R in [-100, 0] (TTR's `-100 * WPR(HLC, 14)`), streaming, amortised O(1) per candle.
 * A window without range gives -50.
 * @example
 * const williams = new WilliamsRStream(14);
 * const value = williams.update(candle.high, candle.low, candle.close);
 */
export class WilliamsRStream {
  /** Look-back. */
  readonly period: number;
  /** Latest value. */
  value = Number.NaN;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  #count = 0;

  constructor(period = 14) {
    checkPeriod('Williams %R period', period);
    this.period = period;
    this.#highest = new RollingExtreme(period, 'max');
    this.#lowest = new RollingExtreme(period, 'min');
  }

  /** Feeds one candle and returns %R (NaN during warm-up). */
  update(high: number, low: number, close: number): number {
    const highest = this.#highest.update(high);
    const lowest = this.#lowest.update(low);
    this.#count += 1;
    if (this.#count < this.period) return Number.NaN;
    const range = highest - lowest;
    this.value = range === 0 ? -50 : (-100 * (highest - close)) / range;
    return this.value;
  }
}

/**
 * Williams %R of whole columns.
 * @example
 * const values = williamsR({ high, low, close }, 14);
 */
export function williamsR(columns: HlcColumns, period = 14): Float64Array {
  const length = columnsLength(columns);
  const stream = new WilliamsRStream(period);
  const out = nanArray(length);
  for (let i = 0; i < length; i++) out[i] = stream.update(columns.high[i]!, columns.low[i]!, columns.close[i]!);
  return out;
}
