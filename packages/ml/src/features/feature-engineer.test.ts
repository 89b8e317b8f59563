import type { Candle, NewsItem } from '@ia-agents/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixtureCandles, randomWalkCandles } from '../test-support/fixture-candles.js';
import { createFeatureEngineer } from './feature-engineer.js';
import { TECHNICAL_FEATURES, TECHNICAL_WARMUP } from './technical-features.js';

const candles = loadFixtureCandles('binance_BTC-USDT_1h.csv');

describe('FeatureEngineer', () => {
  it('drops the warm-up candles and gives every later candle a complete row', () => {
    const matrix = createFeatureEngineer().compute(candles);
    expect(matrix.names).toEqual([...TECHNICAL_FEATURES]);
    expect(matrix.rowCount).toBe(candles.length - TECHNICAL_WARMUP);
    expect(matrix.candleIndex[0]).toBe(TECHNICAL_WARMUP);
    expect(matrix.timestamps[0]).toBe(candles[TECHNICAL_WARMUP]!.timestamp);
    // Real candles with high > low everywhere: no feature is missing after the warm-up.
    expect(matrix.values.every((value) => Number.isFinite(value))).toBe(true);
  });

  it('computes the seed features with their meaning: RSI in [0, 100], hour and weekday in UTC', () => {
    const matrix = createFeatureEngineer().compute(candles);
    const width = matrix.names.length;
    const column = (name: string) => Array.from({ length: matrix.rowCount }, (_, r) => matrix.values[r * width + matrix.names.indexOf(name)]!);
    expect(Math.min(...column('rsi_14'))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...column('rsi_14'))).toBeLessThanOrEqual(100);
    expect(column('hour_of_day')[0]).toBe(new Date(candles[TECHNICAL_WARMUP]!.timestamp).getUTCHours());
    expect(column('day_of_week')[0]).toBe(new Date(candles[TECHNICAL_WARMUP]!.timestamp).getUTCDay());
    const last = candles.length - 1;
    expect(column('return_1').at(-1)).toBeCloseTo(Math.log(candles[last]!.close / candles[last - 1]!.close), 12);
  });

  it('has no look-ahead: changing future candles leaves every earlier row identical', () => {
    const base = randomWalkCandles(180, 7);
    const engineer = createFeatureEngineer();
    const before = engineer.compute(base);
    fc.assert(
      fc.property(fc.integer({ min: TECHNICAL_WARMUP, max: 178 }), fc.double({ min: 0.5, max: 2, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true }), (cut, factor, volume) => {
        const changed: Candle[] = base.map((candle, i) => (i <= cut ? candle : { ...candle, open: candle.open * factor, high: candle.high * factor * 1.01, low: candle.low * factor * 0.99, close: candle.close * factor, volume }));
        const after = engineer.compute(changed);
        const width = after.names.length;
        const rows = cut - TECHNICAL_WARMUP + 1;
        expect(Array.from(after.values.subarray(0, rows * width))).toEqual(Array.from(before.values.subarray(0, rows * width)));
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('computeLast from the trailing lookback equals the row computed over the full history', () => {
    const long = randomWalkCandles(1200, 3);
    const engineer = createFeatureEngineer();
    const full = engineer.compute(long);
    const width = full.names.length;
    const last = engineer.computeLast(long);
    const expected = full.values.subarray((full.rowCount - 1) * width);
    last.forEach((value, j) => expect(Math.abs(value - expected[j]!), full.names[j]).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(expected[j]!))));
  });

  it('computeLast gives bit for bit the last row of compute() over the same window, call after call', () => {
    const engineer = createFeatureEngineer({ fundamental: true, lookback: 150 });
    const hourly = loadFixtureCandles('coinbase_BTC-USD_1h.csv', 3000);
    const news: NewsItem[] = hourly.filter((_, i) => i % 37 === 0).map((candle, i) => ({ id: `n${i}`, source: 'test', kind: i % 3 === 0 ? 'social' : 'news', title: 't', publishedAt: candle.timestamp + 1_800_000, currencies: ['BTC'], sentiment: ((i * 7) % 11) / 5 - 1 }));
    // Random end points, visited in random order: the arrays computeLast reuses must carry nothing over.
    fc.assert(
      fc.property(fc.integer({ min: 150, max: 3000 }), (end) => {
        const window = hourly.slice(end - 150, end);
        const input = { fundamentals: { news, marketCap: [{ timestamp: hourly[end - 40]!.timestamp, change: end / 1e4 }] }, candleMs: 3_600_000 };
        const full = engineer.compute(window, input);
        const expected = full.values.subarray((full.rowCount - 1) * full.names.length);
        expect(Array.from(engineer.computeLast(hourly.slice(0, end), input))).toEqual(Array.from(expected));
      }),
      { numRuns: 60, seed: 5 },
    );
  });

  it('refuses too few candles for a prediction and unordered candles, naming the problem', () => {
    const engineer = createFeatureEngineer();
    expect(() => engineer.computeLast(candles.slice(0, 50))).toThrow(/at least 400 candles/);
    const swapped = [...candles.slice(0, 10)];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    expect(() => engineer.compute(swapped)).toThrow(/4\.timestamp: candles must be in strictly increasing time order/);
    expect(() => engineer.compute([{ ...candles[0]!, close: Number.NaN }])).toThrow(/0\.close: expected a positive finite price/);
  });

  it('fundamental features: windowed mean sentiment, explicit missing flags, never future news', () => {
    const engineer = createFeatureEngineer({ fundamental: true, sentimentWindowMs: 6 * 3_600_000 });
    const row = TECHNICAL_WARMUP + 10;
    const closeOfRow = candles[row]!.timestamp + 3_600_000;
    const item = (id: string, publishedAt: number, sentiment: number, kind: 'news' | 'social' = 'news'): NewsItem => ({ id, source: 'test', kind, title: id, publishedAt, currencies: ['BTC'], sentiment });
    const news = [item('a', closeOfRow - 3_600_000, 0.4), item('b', closeOfRow, -0.2), item('future', closeOfRow + 1, 1), item('old', closeOfRow - 7 * 3_600_000, -1), item('s', closeOfRow - 10, 0.5, 'social')];
    const matrix = engineer.compute(candles, { fundamentals: { news, marketCap: [{ timestamp: closeOfRow - 1000, change: 0.03 }] }, candleMs: 3_600_000 });
    const width = matrix.names.length;
    const value = (r: number, name: string) => matrix.values[r * width + matrix.names.indexOf(name)]!;
    expect(value(10, 'news_sentiment')).toBeCloseTo(0.1, 12);
    expect(value(10, 'news_sentiment_missing')).toBe(0);
    expect(value(10, 'social_sentiment')).toBe(0.5);
    expect(value(10, 'market_cap_change')).toBe(0.03);
    // A row long before any news: missing, flagged, not zero.
    expect(Number.isNaN(value(0, 'news_sentiment'))).toBe(true);
    expect(value(0, 'news_sentiment_missing')).toBe(1);
    expect(Number.isNaN(value(0, 'market_cap_change'))).toBe(true);
    expect(value(0, 'market_cap_change_missing')).toBe(1);
  });

  it('rejects bad options with the field name', () => {
    expect(() => createFeatureEngineer({ lookback: 10 })).toThrow(/lookback/);
  });
});
