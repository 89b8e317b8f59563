import type { MarketEvent, MarketFeed } from '../interfaces/market-feed.js';
import type { Candle, Timeframe } from '../schemas/index.js';

/** Settings of an in-memory feed. */
export interface ArrayFeedSettings {
  /** Candles per symbol, oldest first. */
  candles: Record<string, readonly Candle[]>;
  /** Timeframe of every series. */
  timeframe: Timeframe;
  /** Candles per event. @default 1000 */
  batchSize?: number;
  /** Extra events to emit before the candles. */
  prelude?: readonly MarketEvent[];
}

/** A feed over arrays: interleaves the symbols by time, in batches. */
export function createArrayFeed(settings: ArrayFeedSettings): MarketFeed {
  const symbols = Object.keys(settings.candles);
  return {
    specificationVersion: 'v1',
    symbols,
    timeframe: settings.timeframe,
    async *events() {
      yield* settings.prelude ?? [];
      const batch = settings.batchSize ?? 1000;
      const positions = new Map(symbols.map((symbol) => [symbol, 0]));
      for (;;) {
        let next: string | undefined;
        for (const symbol of symbols) {
          const candle = settings.candles[symbol]![positions.get(symbol)!];
          const best = next === undefined ? undefined : settings.candles[next]![positions.get(next)!];
          if (candle !== undefined && (best === undefined || candle.timestamp < best.timestamp)) next = symbol;
        }
        if (next === undefined) return;
        const start = positions.get(next)!;
        const series = settings.candles[next]!;
        const limit = symbols.length === 1 ? Math.min(series.length, start + batch) : start + 1;
        positions.set(next, limit);
        yield { type: 'candles', symbol: next, timeframe: settings.timeframe, candles: series.slice(start, limit) };
      }
    },
  };
}
