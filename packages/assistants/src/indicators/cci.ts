import { SmaStream } from './sma.js';
import { checkPeriod, columnsLength, nanArray, type HlcColumns } from './types.js';

/**
 * Commodity channel index (TTR's `CCI(HLC, 20, c = 0.015)`: typical price, its SMA, and the mean
 * absolute deviation from that SMA). Streaming; the mean deviation is taken around the CURRENT
 * average, which no running total can update, so each candle costs O(period) (20 subtractions),
 * still constant in the length of the stream. A window without deviation gives 0.
 * @example
 * const cci = new CciStream(20);
 * const value = cci.update(candle.high, candle.low, candle.close);
 */
export class CciStream {
  /** Look-back. */
  readonly period: number;
  /** Scaling constant. */
  readonly constant: number;
  /** Latest value. */
  value = Number.NaN;
  readonly #average: SmaStream;
  readonly #window: Float64Array;
  #slot = 0;

  constructor(period = 20, constant = 0.015) {
    checkPeriod('CCI period', period);
    this.period = period;
    this.constant = constant;
    this.#average = new SmaStream(period);
    this.#window = new Float64Array(period);
  }

  /** Feeds one candle and returns the CCI (NaN during warm-up). */
  update(high: number, low: number, close: number): number {
    const typical = (high + low + close) / 3;
    this.#window[this.#slot] = typical;
    this.#slot = this.#slot + 1 === this.period ? 0 : this.#slot + 1;
    const mean = this.#average.update(typical);
    if (Number.isNaN(mean)) return Number.NaN;
    let deviation = 0;
    for (let i = 0; i < this.period; i++) deviation += Math.abs(this.#window[i]! - mean);
    deviation /= this.period;
    this.value = deviation === 0 ? 0 : (typical - mean) / (this.constant * deviation);
    return this.value;
  }
}

/**
 * CCI of whole columns.
 * @example
 * const values = cci({ high, low, close }, 20);
 */
export function cci(columns: HlcColumns, period = 20, constant = 0.015): Float64Array {
  const length = columnsLength(columns);
  const stream = new CciStream(period, constant);
  const out = nanArray(length);
  for (let i = 0; i < length; i++) out[i] = stream.update(columns.high[i]!, columns.low[i]!, columns.close[i]!);
  return out;
}
