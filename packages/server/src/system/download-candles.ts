import { writeFileSync } from 'node:fs';
import { timeframeToMs, type Candle, type Exchange, type Timeframe } from '@ia-agents/core';

/** What to download. */
export interface DownloadCandlesOptions {
  /** Where candles come from (a CcxtExchange). */
  exchange: Pick<Exchange, 'fetchOHLCV'>;
  /** Unified symbol, e.g. `BTC/USDT`. */
  symbol: string;
  /** Timeframe. */
  timeframe: Timeframe;
  /** First open time, UTC ms. */
  since: number;
  /** End (exclusive) open time, UTC ms; closed candles only are kept. */
  until: number;
  /** CSV file to write (`timestamp_ms,open,high,low,close,volume`, the uniform format). */
  out: string;
  /** Progress after each page. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Downloads closed candles page by page into the uniform CSV format the replay feed reads.
 * @example await downloadCandles({ exchange: createCcxtExchange(), symbol: 'BTC/USDT', timeframe: '1h', since, until, out: 'btc.csv' });
 */
export async function downloadCandles(options: DownloadCandlesOptions): Promise<number> {
  const step = timeframeToMs(options.timeframe);
  const total = Math.max(1, Math.ceil((options.until - options.since) / step));
  const candles: Candle[] = [];
  let cursor = options.since;
  while (cursor < options.until) {
    const page = await options.exchange.fetchOHLCV(options.symbol, options.timeframe, cursor, 1000);
    const fresh = page.filter((candle) => candle.timestamp >= cursor && candle.timestamp < options.until && candle.timestamp + step <= Date.now());
    if (fresh.length === 0) break;
    candles.push(...fresh);
    cursor = fresh.at(-1)!.timestamp + step;
    options.onProgress?.(Math.min(candles.length, total), total);
  }
  const rows = candles.map((candle) => [candle.timestamp, candle.open, candle.high, candle.low, candle.close, candle.volume].join(','));
  writeFileSync(options.out, `timestamp_ms,open,high,low,close,volume\n${rows.join('\n')}${rows.length > 0 ? '\n' : ''}`);
  return candles.length;
}
