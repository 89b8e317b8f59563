import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseWith, systemClock, timeframeSchema, timeframeToMs, type Candle, type Clock, type Exchange } from '@ia-agents/core';
import { checkCandles, type CandleGap } from '../feeds/candle-series.js';
import { CandleSequencer } from '../feeds/candle-sequencer.js';

/** Options of `downloadCandles`, validated before anything is fetched. */
export const downloadCandlesOptionsSchema = z.object({
  /** Unified symbol, e.g. `BTC/USDT`. */
  symbol: z.string().min(1),
  /** Timeframe of the candles. */
  timeframe: timeframeSchema,
  /** Open time of the first candle wanted, UTC ms. */
  since: z.number().int().nonnegative(),
  /** End (exclusive) of the open times wanted, UTC ms. @default now: every closed candle */
  until: z.number().int().nonnegative().optional(),
  /** CSV file to write (directories are created; the file appears only when complete). */
  out: z.string().min(1),
  /** Candles asked for per request. @default 1000 (Binance's maximum) */
  pageSize: z.number().int().positive().max(5000).default(1000),
});

/** Progress of a download, after each page. */
export interface DownloadProgress {
  /** Candles written so far. */
  candles: number;
  /** Open time of the last candle written. */
  last: number;
  /** Share of the requested time range covered, 0..1. */
  fraction: number;
}

/** What a download wrote. */
export interface DownloadResult {
  /** The file written. */
  path: string;
  /** Candles written. */
  candles: number;
  /** Open time of the first and last candle, when any. */
  first?: number;
  last?: number;
  /** Stretches the exchange has no candles for (also visible to the replay feed). */
  gaps: CandleGap[];
  /** Requests made. */
  requests: number;
}

/** Options of `downloadCandles`. */
export type DownloadCandlesOptions = z.input<typeof downloadCandlesOptionsSchema> & {
  /** Where the candles come from (a `CcxtExchange`). */
  exchange: Pick<Exchange, 'fetchOHLCV'>;
  /** Called after each page. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Time source (decides which candles have closed). @default the system clock */
  clock?: Clock;
};

const HEADER = 'timestamp_ms,open,high,low,close,volume\n';
const row = (candle: Candle) => `${candle.timestamp},${candle.open},${candle.high},${candle.low},${candle.close},${candle.volume}\n`;

/**
 * Downloads closed candles page by page into the uniform CSV (`timestamp_ms,open,high,low,close,volume`)
 * that `createReplayFeed` and `runBacktest` read. Every page is checked (bad rows fail naming the
 * field), candles come out once and in order, missing ones are returned as gaps, and the file is
 * written under a temporary name and renamed when complete, so a failed download leaves nothing.
 * @example
 * await downloadCandles({ exchange: createCcxtExchange(), symbol: 'BTC/USDT', timeframe: '1h', since: Date.UTC(2024, 0, 1), out: 'data/binance_BTC-USDT_1h.csv', onProgress: (p) => console.log(p.fraction) });
 */
export async function downloadCandles(options: DownloadCandlesOptions): Promise<DownloadResult> {
  const { exchange, onProgress, clock = systemClock, ...rest } = options;
  const settings = parseWith(downloadCandlesOptionsSchema, rest, 'download options', 'CONFIG_INVALID');
  const length = timeframeToMs(settings.timeframe);
  // Open times wanted end at `until` or at the candle still forming now, whichever is first.
  const until = Math.min(settings.until ?? Number.POSITIVE_INFINITY, Math.floor(clock.now() / length) * length);
  const sequencer = new CandleSequencer(settings.symbol, settings.timeframe);
  const result: DownloadResult = { path: settings.out, candles: 0, gaps: [], requests: 0 };
  await mkdir(dirname(settings.out), { recursive: true });
  const temporary = `${settings.out}.part`;
  const file = createWriteStream(temporary);
  try {
    file.write(HEADER);
    for (let cursor = settings.since; cursor < until; ) {
      const page = await exchange.fetchOHLCV(settings.symbol, settings.timeframe, cursor, settings.pageSize);
      result.requests += 1;
      const wanted = page.filter((candle) => candle.timestamp >= cursor && candle.timestamp < until);
      checkCandles(wanted, { source: `${settings.symbol} ${settings.timeframe} from ${cursor}` }, settings.timeframe);
      for (const event of sequencer.accept(wanted)) {
        if (event.type === 'gap') result.gaps.push({ from: event.from, to: event.to, missing: event.missing });
        if (event.type === 'candles') write(file, event.candles, result);
      }
      if (sequencer.next === undefined || sequencer.next <= cursor || page.length === 0) break;
      cursor = sequencer.next;
      onProgress?.({ candles: result.candles, last: sequencer.last!, fraction: Math.min(1, (cursor - settings.since) / Math.max(1, until - settings.since)) });
    }
    // Candles missing between the last one and the end (every candle before `until` has closed): a gap, not hidden.
    const next = sequencer.next;
    if (next !== undefined && next < until) result.gaps.push({ from: next, to: until, missing: Math.round((until - next) / length) });
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await rename(temporary, settings.out);
  } catch (error) {
    file.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  return result;
}

/** Writes candles and counts them. */
function write(file: NodeJS.WritableStream, candles: readonly Candle[], result: DownloadResult): void {
  for (const candle of candles) file.write(row(candle));
  result.first ??= candles[0]?.timestamp;
  result.last = candles.at(-1)?.timestamp ?? result.last;
  result.candles += candles.length;
}
