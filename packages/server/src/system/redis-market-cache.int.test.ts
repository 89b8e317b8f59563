import { randomBytes } from 'node:crypto';
import { buildCandles } from '@ia-agents/core/testing';
import type { Candle, MarketInfo, Ticker, Timeframe } from '@ia-agents/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisMarketCache, type MarketData } from './redis-market-cache.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function countingSource(candles: Candle[]): MarketData & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetchOHLCV: async (symbol: string, timeframe: Timeframe, since?: number, limit?: number) => {
      calls.push(`ohlcv ${symbol} ${since}`);
      return candles.filter((candle) => since === undefined || candle.timestamp >= since).slice(0, limit);
    },
    fetchTicker: async (symbol: string) => {
      calls.push(`ticker ${symbol}`);
      return { symbol, timestamp: 1, last: 100 + calls.length } as unknown as Ticker;
    },
    fetchMarket: async (symbol: string) => {
      calls.push(`market ${symbol}`);
      return { symbol, base: 'BTC', quote: 'USDT', amountStep: 0.00001 } satisfies MarketInfo;
    },
    fetchOrderBook: async (symbol: string) => {
      calls.push(`book ${symbol}`);
      return { symbol, timestamp: 1, bids: [], asks: [] } as never;
    },
  };
}

describe('Redis market-data cache', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => {
    redis.disconnect();
  });

  it('serves closed candles, tickers and market rules from Redis to a second process, never order books', async () => {
    const candles = buildCandles({ count: 10, timeframe: '1h', start: Date.UTC(2024, 0, 1) });
    const exchangeId = `test-${randomBytes(4).toString('hex')}`;
    const clock = { now: () => Date.UTC(2024, 0, 2) };
    const first = countingSource(candles);
    const second = countingSource(candles);
    const a = createRedisMarketCache(first, redis, { exchangeId, clock });
    const b = createRedisMarketCache(second, redis, { exchangeId, clock, tickerTtlMs: 60_000 });
    expect(await a.fetchOHLCV('BTC/USDT', '1h', candles[0]!.timestamp, 10)).toEqual(candles);
    expect(await b.fetchOHLCV('BTC/USDT', '1h', candles[0]!.timestamp, 10)).toEqual(candles);
    expect(await b.fetchTicker('BTC/USDT')).toEqual(await b.fetchTicker('BTC/USDT'));
    await b.fetchMarket('BTC/USDT');
    expect(await a.fetchMarket('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: 0.00001 });
    await a.fetchOrderBook('BTC/USDT');
    await a.fetchOrderBook('BTC/USDT');
    expect(first.calls).toEqual([`ohlcv BTC/USDT ${candles[0]!.timestamp}`, 'book BTC/USDT', 'book BTC/USDT']);
    expect(second.calls).toEqual(['ticker BTC/USDT', 'market BTC/USDT']);
  });

  it('does not cache a page that holds a forming candle or may still grow', async () => {
    const candles = buildCandles({ count: 3, timeframe: '1h', start: Date.UTC(2024, 0, 1) });
    const source = countingSource(candles);
    const cache = createRedisMarketCache(source, redis, { exchangeId: `test-${randomBytes(4).toString('hex')}`, clock: { now: () => Date.UTC(2024, 0, 1, 2, 30) } });
    await cache.fetchOHLCV('BTC/USDT', '1h', candles[0]!.timestamp, 3);
    await cache.fetchOHLCV('BTC/USDT', '1h', candles[0]!.timestamp, 3);
    await cache.fetchOHLCV('BTC/USDT', '1h', candles[0]!.timestamp, 5);
    await cache.fetchOHLCV('BTC/USDT', '1h', candles[0]!.timestamp, 5);
    expect(source.calls).toHaveLength(4);
  });
});
