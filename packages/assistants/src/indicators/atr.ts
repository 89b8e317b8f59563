import { EmaStream } from './ema.js';
import { checkPeriod, columnsLength, nanArray, type HlcColumns } from './types.js';

/**
 * Average true range with Wilder's smoothing (TTR's `ATR(HLC, 14)`), streaming, O(1) per candle.
 * The first candle has no true range (no previous close), so the first ATR comes at index
 * `period`, the average of the true ranges of candles 1..period.
 * @example
 * const atr = new AtrStream(14);
 * const value = atr.update(candle.high, candle.low, candle.close);
 */
export class AtrStream {
  /** Look-back. */
  readonly period: number;
  /** Latest ATR. */
  value = Number.NaN;
  /** Latest true range (NaN on the first candle). */
  trueRange = Number.NaN;
  readonly #average: EmaStream;
  #previousClose = Number.NaN;

  constructor(period = 14) {
    checkPeriod('ATR period', period);
    this.period = period;
    this.#average = new EmaStream(period, { wilder: true });
  }

  /** Feeds one candle and returns the ATR (NaN during warm-up). */
  update(high: number, low: number, close: number): number {
    const previous = this.#previousClose;
    this.#previousClose = close;
    if (Number.isNaN(previous)) return Number.NaN;
    this.trueRange = Math.max(high - low, Math.abs(high - previous), Math.abs(low - previous));
    this.value = this.#average.update(this.trueRange);
    return this.value;
  }
}

/**
 * ATR of whole columns.
 * @example
 * const values = atr({ high, low, close }, 14);
 */
export function atr(columns: HlcColumns, period = 14): Float64Array {
  const length = columnsLength(columns);
  const stream = new AtrStream(period);
  const out = nanArray(length);
  for (let i = 0; i < length; i++) out[i] = stream.update(columns.high[i]!, columns.low[i]!, columns.close[i]!);
  return out;
}
