import type { Candle } from '@ia-agents/core';

/** Candles as columns: one typed array per field, oldest first. */
export interface CandleColumns {
  /** Open time, UTC milliseconds. */
  timestamp: Float64Array;
  /** Open prices. */
  open: Float64Array;
  /** High prices. */
  high: Float64Array;
  /** Low prices. */
  low: Float64Array;
  /** Close prices. */
  close: Float64Array;
  /** Base-asset volumes. */
  volume: Float64Array;
}

/**
 * Converts candle objects to columns; with `into` (columns of the same length), fills those.
 * @example const columns = toCandleColumns(candles); columns.close[0];
 */
export function toCandleColumns(candles: readonly Candle[], into?: CandleColumns): CandleColumns {
  const n = candles.length;
  const columns: CandleColumns = into !== undefined && into.close.length === n ? into : {
    timestamp: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const candle = candles[i]!;
    columns.timestamp[i] = candle.timestamp;
    columns.open[i] = candle.open;
    columns.high[i] = candle.high;
    columns.low[i] = candle.low;
    columns.close[i] = candle.close;
    columns.volume[i] = candle.volume;
  }
  return columns;
}

/** Takes rows `[start, end)` of every column (views, no copy). */
export function sliceCandleColumns(columns: CandleColumns, start: number, end: number): CandleColumns {
  return {
    timestamp: columns.timestamp.subarray(start, end),
    open: columns.open.subarray(start, end),
    high: columns.high.subarray(start, end),
    low: columns.low.subarray(start, end),
    close: columns.close.subarray(start, end),
    volume: columns.volume.subarray(start, end),
  };
}
