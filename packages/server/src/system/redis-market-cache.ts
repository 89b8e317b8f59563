import { timeframeToMs, type Candle, type Clock, type Exchange, type MarketInfo, type Ticker, type Timeframe } from '@ia-agents/core';
import { systemClock } from '@ia-agents/core';
import type { Redis } from 'ioredis';

/** The market-data calls the cache fronts. */
export type MarketData = Pick<Exchange, 'fetchOHLCV' | 'fetchTicker' | 'fetchOrderBook' | 'fetchMarket'>;

/** Settings of the Redis market-data cache. */
export interface RedisMarketCacheSettings {
  /** Name in the keys (e.g. the ccxt id). */
  exchangeId: string;
  /** How long a ticker stays fresh. @default 1000 */
  tickerTtlMs?: number;
  /** How long market rules stay cached. @default 3600000 */
  marketTtlMs?: number;
  /** How long a page of closed candles stays cached (closed candles never change). @default 86400000 */
  candlesTtlMs?: number;
  /** Time source (which candles are closed). @default systemClock */
  clock?: Clock;
}

/**
 * Market data through Redis, shared by every server process and account on the same Redis:
 * full pages of closed candles (immutable) for a day, tickers for a second, market rules for an hour.
 * Order books are never cached. A Redis failure falls through to the exchange.
 * @example const market = createRedisMarketCache(createCcxtExchange(), redis, { exchangeId: 'binance' });
 */
export function createRedisMarketCache(source: MarketData, redis: Redis, settings: RedisMarketCacheSettings): MarketData {
  const clock = settings.clock ?? systemClock;
  const prefix = `iaa:market:${settings.exchangeId}`;
  const cached = async <T>(key: string, ttlMs: number, load: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> => {
    const hit = await redis.get(key).catch(() => null);
    if (hit !== null) return JSON.parse(hit) as T;
    const value = await load();
    if (keep(value)) await redis.set(key, JSON.stringify(value), 'PX', ttlMs).catch(() => undefined);
    return value;
  };
  // Only a full page of closed candles is final: a shorter page may still grow, a forming candle change.
  const final = (timeframe: Timeframe, limit: number) => (candles: Candle[]) => candles.length === limit && candles.at(-1)!.timestamp + timeframeToMs(timeframe) <= clock.now();
  return {
    fetchOHLCV: (symbol, timeframe, since, limit) =>
      since === undefined || limit === undefined
        ? source.fetchOHLCV(symbol, timeframe, since, limit)
        : cached(`${prefix}:ohlcv:${symbol}:${timeframe}:${since}:${limit}`, settings.candlesTtlMs ?? 86_400_000, () => source.fetchOHLCV(symbol, timeframe, since, limit), final(timeframe, limit)),
    fetchTicker: (symbol) => cached<Ticker>(`${prefix}:ticker:${symbol}`, settings.tickerTtlMs ?? 1000, () => source.fetchTicker(symbol)),
    fetchMarket: (symbol) => cached<MarketInfo>(`${prefix}:market:${symbol}`, settings.marketTtlMs ?? 3_600_000, () => source.fetchMarket(symbol)),
    fetchOrderBook: (symbol, limit) => source.fetchOrderBook(symbol, limit),
  };
}
