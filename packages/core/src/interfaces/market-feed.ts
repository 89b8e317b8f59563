import type { Candle, NewsItem, OrderBook, Ticker, Timeframe } from '../schemas/index.js';

/** Events a feed emits. Candles are closed candles only, in time order per symbol. */
export type MarketEvent =
  | {
      type: 'candles';
      symbol: string;
      timeframe: Timeframe;
      candles: Candle[];
      /**
       * History from before the feed started (a live feed's warm-up): the engine learns from it
       * (history, trigger state, prices) but convenes no one on it, so a signal found in old
       * candles never becomes an order at today's price.
       */
      warmup?: boolean;
    }
  | { type: 'ticker'; ticker: Ticker }
  | { type: 'order-book'; orderBook: OrderBook }
  | { type: 'news'; items: NewsItem[] }
  | { type: 'gap'; symbol: string; timeframe: Timeframe; from: number; to: number; missing: number };

/**
 * A source of market data: a replay of history, REST polling or a websocket stream. Candle events
 * carry batches so that a replay can move millions of candles without a promise per candle.
 */
export interface MarketFeed {
  /** Interface version. */
  readonly specificationVersion: 'v1';
  /** Symbols the feed covers. */
  readonly symbols: readonly string[];
  /** Timeframe of its candles. */
  readonly timeframe: Timeframe;
  /** Streams events until the feed ends or `signal` aborts. */
  events(options?: { signal?: AbortSignal }): AsyncIterable<MarketEvent>;
  /**
   * The same events without a promise between them, for a feed that has them all at hand (a replay
   * of history). The engine prefers it when offered: a replay of several markets, one event per
   * candle, then costs no promise and microtask per candle.
   */
  eventsNow?(options?: { signal?: AbortSignal }): Iterable<MarketEvent>;
}
