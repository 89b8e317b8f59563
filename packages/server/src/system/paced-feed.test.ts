import { buildCandles, createArrayFeed } from '@ia-agents/core/testing';
import { describe, expect, it } from 'vitest';
import { pacedFeed } from './paced-feed.js';

describe('pacedFeed', () => {
  it('passes the warm-up at once (flagged as warm-up), then one candle per interval, in order', async () => {
    const candles = buildCandles({ count: 10 });
    const waits: number[] = [];
    const feed = pacedFeed(createArrayFeed({ candles: { 'BTC/USDT': candles }, timeframe: '1h', batchSize: 4 }), { candlesPerSecond: 4, warmup: 3, sleep: async (ms) => void waits.push(ms) });
    const seen: number[] = [];
    const warm: boolean[] = [];
    for await (const event of feed.events()) {
      if (event.type !== 'candles') continue;
      for (const candle of event.candles) {
        seen.push(candle.timestamp);
        warm.push(event.warmup === true);
      }
    }
    expect(seen).toEqual(candles.map((candle) => candle.timestamp));
    expect(waits).toEqual(Array(7).fill(250));
    // The warm-up is history the team learns from: flagged so that the engine decides nothing on it.
    expect(warm).toEqual([true, true, true, false, false, false, false, false, false, false]);
  });
});
