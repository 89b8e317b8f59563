import { buildCandles, createArrayFeed } from '@ia-agents/core/testing';
import { describe, expect, it } from 'vitest';
import { pacedFeed } from './paced-feed.js';

describe('pacedFeed', () => {
  it('passes the warm-up at once, then one candle per interval, in order', async () => {
    const candles = buildCandles({ count: 10 });
    const waits: number[] = [];
    const feed = pacedFeed(createArrayFeed({ candles: { 'BTC/USDT': candles }, timeframe: '1h', batchSize: 4 }), { candlesPerSecond: 4, warmup: 3, sleep: async (ms) => void waits.push(ms) });
    const seen: number[] = [];
    for await (const event of feed.events()) if (event.type === 'candles') seen.push(...event.candles.map((candle) => candle.timestamp));
    expect(seen).toEqual(candles.map((candle) => candle.timestamp));
    expect(waits).toEqual(Array(7).fill(250));
  });
});
