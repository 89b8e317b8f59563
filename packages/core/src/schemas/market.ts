import { z } from 'zod';

const price = z.number().finite().positive();
const quantity = z.number().finite().nonnegative();

/** One OHLCV candle. Timestamps are the candle's open time in UTC milliseconds (ccxt's convention). */
export const candleSchema = z
  .object({
    /** Open time of the candle, UTC milliseconds since the epoch. */
    timestamp: z.number().int().nonnegative(),
    /** First traded price of the interval. */
    open: price,
    /** Highest traded price of the interval; at least max(open, close). */
    high: price,
    /** Lowest traded price of the interval; at most min(open, close). */
    low: price,
    /** Last traded price of the interval. */
    close: price,
    /** Traded volume in the base asset. */
    volume: quantity,
  })
  .superRefine((candle, context) => {
    if (candle.high < Math.max(candle.open, candle.close, candle.low)) {
      context.addIssue({ code: 'custom', path: ['high'], message: 'high is below open, close or low' });
    }
    if (candle.low > Math.min(candle.open, candle.close)) {
      context.addIssue({ code: 'custom', path: ['low'], message: 'low is above open or close' });
    }
  });
export type Candle = z.infer<typeof candleSchema>;

/** Best bid/ask and last price of a symbol at one moment. */
export const tickerSchema = z.object({
  /** Unified symbol, e.g. `BTC/USDT`. */
  symbol: z.string().min(1),
  /** When the ticker was observed, UTC milliseconds. */
  timestamp: z.number().int().nonnegative(),
  /** Best bid price, when known. */
  bid: price.optional(),
  /** Best ask price, when known. */
  ask: price.optional(),
  /** Last traded price. */
  last: price,
  /** Base-asset volume over the exchange's rolling 24 h window, when known. */
  baseVolume: quantity.optional(),
  /** Percentage price change over the exchange's rolling 24 h window, when known. */
  percentage: z.number().finite().optional(),
});
export type Ticker = z.infer<typeof tickerSchema>;

/** A price level: `[price, amount]`. */
export const orderBookLevelSchema = z.tuple([price, quantity]);
export type OrderBookLevel = z.infer<typeof orderBookLevelSchema>;

/** Depth of the market: bids sorted by price descending, asks ascending. */
export const orderBookSchema = z.object({
  /** Unified symbol, e.g. `BTC/USDT`. */
  symbol: z.string().min(1),
  /** When the book was observed, UTC milliseconds. */
  timestamp: z.number().int().nonnegative(),
  /** Buy levels, best (highest) first. */
  bids: z.array(orderBookLevelSchema),
  /** Sell levels, best (lowest) first. */
  asks: z.array(orderBookLevelSchema),
});
export type OrderBook = z.infer<typeof orderBookSchema>;

/** A news headline or social post about a market. */
export const newsItemSchema = z.object({
  /** Stable id from the source (URL or guid when nothing better exists). */
  id: z.string().min(1),
  /** Where it came from, e.g. `cryptopanic` or the feed's host. */
  source: z.string().min(1),
  /** `news` for articles, `social` for posts. */
  kind: z.enum(['news', 'social']).default('news'),
  /** Headline or post text. */
  title: z.string().min(1),
  /** Longer text, when the source gives one. */
  summary: z.string().optional(),
  /** Link to the item. */
  url: z.string().optional(),
  /** Publication time, UTC milliseconds. */
  publishedAt: z.number().int().nonnegative(),
  /** Currencies the item is about (e.g. `BTC`), when the source tags them. */
  currencies: z.array(z.string()).default([]),
  /** Sentiment score in [-1, 1] when already scored. */
  sentiment: z.number().min(-1).max(1).optional(),
});
export type NewsItem = z.infer<typeof newsItemSchema>;

/** Timeframes the framework understands, ccxt spelling. */
export const timeframeSchema = z.enum(['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '1w']);
export type Timeframe = z.infer<typeof timeframeSchema>;

const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

/** Length of a timeframe in milliseconds. */
export function timeframeToMs(timeframe: Timeframe): number {
  return TIMEFRAME_MS[timeframe];
}

/**
 * The closed candles among what an exchange returned: closed by `now`, or older than a candle the
 * exchange has begun (the newest it returned, or `begun`: one seen elsewhere, such as on a stream).
 * A clock a little behind the exchange's must not hold back a candle the exchange has closed.
 */
export function closedCandles<C extends { timestamp: number }>(candles: readonly C[], timeframe: Timeframe, now: number, begun = Number.NEGATIVE_INFINITY): C[] {
  let newest = begun;
  for (const candle of candles) if (candle.timestamp > newest) newest = candle.timestamp;
  const length = TIMEFRAME_MS[timeframe];
  return candles.filter((candle) => candle.timestamp < newest || candle.timestamp + length <= now);
}
