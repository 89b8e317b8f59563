import { EmaStream } from './ema.js';
import { checkPeriod, columnsLength, nanArray, type HlcColumns } from './types.js';

/** ADX columns (NaN during warm-up). */
export interface AdxSeries {
  /** Average directional index, in [0, 100]. */
  adx: Float64Array;
  /** +DI. */
  pdi: Float64Array;
  /** -DI. */
  mdi: Float64Array;
}

/**
 * Wilder's average directional index, +DI and -DI, streaming, O(1) per candle, following R TTR's
 * `ADX(HLC, 14)` exactly: directional movements and true range are Wilder-summed (TTR's `wilderSum`: a
 * decaying sum `s = x + s * (n - 1) / n` from candle 1 on), so +DI/-DI start at index `period` and
 * ADX (a Wilder average of DX seeded with the mean of the first `period` DX values) at
 * `2 * period - 1`. technicalindicators seeds differently and converges to these values only
 * after ~200 candles; this implementation is the reference the assistants use.
 * @example
 * const adx = new AdxStream(14);
 * adx.update(candle.high, candle.low, candle.close);
 * if (adx.adx > 25 && adx.pdi > adx.mdi) console.log('strong up-trend');
 */
export class AdxStream {
  /** Look-back. */
  readonly period: number;
  /** Latest ADX. */
  adx = Number.NaN;
  /** Latest +DI. */
  pdi = Number.NaN;
  /** Latest -DI. */
  mdi = Number.NaN;
  readonly #dx: EmaStream;
  #previousHigh = Number.NaN;
  #previousLow = Number.NaN;
  #previousClose = Number.NaN;
  #sumTr = 0;
  #sumPlus = 0;
  #sumMinus = 0;
  #seen = 0;

  constructor(period = 14) {
    checkPeriod('ADX period', period);
    this.period = period;
    this.#dx = new EmaStream(period, { wilder: true });
  }

  /** Feeds one candle; returns the ADX (NaN during warm-up). */
  update(high: number, low: number, close: number): number {
    const previousHigh = this.#previousHigh;
    const previousLow = this.#previousLow;
    const previousClose = this.#previousClose;
    this.#previousHigh = high;
    this.#previousLow = low;
    this.#previousClose = close;
    if (Number.isNaN(previousClose)) return Number.NaN;
    const up = high - previousHigh;
    const down = previousLow - low;
    const bothFalling = up < 0 && down < 0;
    const plus = up === down || bothFalling || up < down ? 0 : up;
    const minus = up === down || bothFalling || down < up ? 0 : down;
    const trueRange = Math.max(high - low, Math.abs(high - previousClose), Math.abs(low - previousClose));
    this.#accumulate(trueRange, plus, minus);
    if (this.#seen < this.period) return Number.NaN;
    // A range-less stretch (every true range 0) has no direction: both DIs are 0.
    this.pdi = this.#sumTr === 0 ? 0 : (100 * this.#sumPlus) / this.#sumTr;
    this.mdi = this.#sumTr === 0 ? 0 : (100 * this.#sumMinus) / this.#sumTr;
    const total = this.pdi + this.mdi;
    const dx = total === 0 ? 0 : (100 * Math.abs(this.pdi - this.mdi)) / total;
    this.adx = this.#dx.update(dx);
    return this.adx;
  }

  /** Wilder's smoothing: the plain sum of the first `period` values, then `s = x + s * (n - 1) / n`. */
  #accumulate(trueRange: number, plus: number, minus: number): void {
    if (this.#seen < this.period) {
      this.#seen += 1;
      this.#sumTr += trueRange;
      this.#sumPlus += plus;
      this.#sumMinus += minus;
      return;
    }
    const keep = (this.period - 1) / this.period;
    this.#sumTr = trueRange + this.#sumTr * keep;
    this.#sumPlus = plus + this.#sumPlus * keep;
    this.#sumMinus = minus + this.#sumMinus * keep;
  }
}

/**
 * ADX, +DI and -DI of whole columns.
 * @example
 * const { adx, pdi, mdi } = adxSeries({ high, low, close }, 14);
 */
export function adxSeries(columns: HlcColumns, period = 14): AdxSeries {
  checkPeriod('ADX period', period);
  const length = columnsLength(columns);
  const adxOut = nanArray(length);
  const pdiOut = nanArray(length);
  const mdiOut = nanArray(length);
  // AdxStream's arithmetic inlined over Float64Arrays: a method call per candle cost the batch 3x
  // a plain loop. A test holds the two equal on every candle of three real series.
  const high = asFloat64(columns.high);
  const low = asFloat64(columns.low);
  const close = asFloat64(columns.close);
  const keep = (period - 1) / period;
  const alpha = 1 / period;
  let sumTr = 0;
  let sumPlus = 0;
  let sumMinus = 0;
  let seen = 0;
  let dxSum = 0;
  let dxSeen = 0;
  let adx = Number.NaN;
  for (let i = 1; i < length; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const up = h - high[i - 1]!;
    const down = low[i - 1]! - l;
    const bothFalling = up < 0 && down < 0;
    const plus = up === down || bothFalling || up < down ? 0 : up;
    const minus = up === down || bothFalling || down < up ? 0 : down;
    const previousClose = close[i - 1]!;
    const trueRange = Math.max(h - l, Math.abs(h - previousClose), Math.abs(l - previousClose));
    if (seen < period) {
      seen += 1;
      sumTr += trueRange;
      sumPlus += plus;
      sumMinus += minus;
      if (seen < period) continue;
    } else {
      sumTr = trueRange + sumTr * keep;
      sumPlus = plus + sumPlus * keep;
      sumMinus = minus + sumMinus * keep;
    }
    const pdi = sumTr === 0 ? 0 : (100 * sumPlus) / sumTr;
    const mdi = sumTr === 0 ? 0 : (100 * sumMinus) / sumTr;
    const total = pdi + mdi;
    const dx = total === 0 ? 0 : (100 * Math.abs(pdi - mdi)) / total;
    if (dxSeen >= period) {
      adx += alpha * (dx - adx);
    } else {
      dxSum += dx;
      dxSeen += 1;
      if (dxSeen === period) adx = dxSum / period;
    }
    adxOut[i] = adx;
    pdiOut[i] = pdi;
    mdiOut[i] = mdi;
  }
  return { adx: adxOut, pdi: pdiOut, mdi: mdiOut };
}

/** The column itself when it is a Float64Array, else a copy: one element type keeps the loop monomorphic. */
function asFloat64(column: ArrayLike<number>): Float64Array {
  return column instanceof Float64Array ? column : Float64Array.from(column);
}
