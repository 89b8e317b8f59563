/** The price fields an indicator reads from one candle. */
export interface PriceBar {
  /** Highest price of the bar. */
  high: number;
  /** Lowest price of the bar. */
  low: number;
  /** Closing price of the bar. */
  close: number;
}

/** Columns of high, low and close prices (plain arrays or typed arrays), oldest first. */
export interface HlcColumns {
  /** Highs. */
  high: ArrayLike<number>;
  /** Lows. */
  low: ArrayLike<number>;
  /** Closes. */
  close: ArrayLike<number>;
}

/** Throws a RangeError unless `period` is an integer of at least `minimum`. */
export function checkPeriod(name: string, period: number, minimum = 1): void {
  if (!Number.isInteger(period) || period < minimum) {
    throw new RangeError(`${name} must be an integer >= ${minimum}, received ${period}`);
  }
}

/** A Float64Array of `length` NaNs: the batch functions' output before the warm-up fills it. */
export function nanArray(length: number): Float64Array {
  return new Float64Array(length).fill(Number.NaN);
}

/** Checks that the three columns have one length and returns it. */
export function columnsLength(columns: HlcColumns): number {
  const length = columns.close.length;
  if (columns.high.length !== length || columns.low.length !== length) {
    throw new RangeError(`high, low and close must have the same length (received ${columns.high.length}, ${columns.low.length}, ${length})`);
  }
  return length;
}
