import { describe, expect, it } from 'vitest';
import type { Candle } from '@ia-agents/core';
import { createReplayFeed } from '../feeds/replay-feed.js';
import { createPaperExchange } from '../paper/paper-exchange.js';
import { EquityRecorder } from './equity-recorder.js';
import { performanceMetrics } from './metrics.js';

const HOUR = 3_600_000;

function candles(count: number, start: number, price: (index: number) => number): Candle[] {
  return Array.from({ length: count }, (_, index) => {
    const open = price(index);
    const close = price(index + 1);
    return { timestamp: (start + index) * HOUR, open, close, high: Math.max(open, close), low: Math.min(open, close), volume: 10 };
  });
}

describe('EquityRecorder', () => {
  it('keeps every sample past its starting capacity, one per candle time, with buy-and-hold summed over the markets, and measures both curves as performanceMetrics does', () => {
    const a = candles(10_000, 0, (index) => 100 + (index % 7));
    const b = candles(1000, 500, (index) => 50 + (index % 5));
    const feed = createReplayFeed({ sources: [{ symbol: 'AAA/USD', candles: a }, { symbol: 'BBB/USD', candles: b }] });
    const exchange = createPaperExchange({ balances: { USD: 1_000 }, quoteCurrency: 'USD' });
    const recorder = new EquityRecorder(exchange, feed, 1_000, 0.001, 2);
    // The replay order: by time, then in feed order.
    const ofA = new Set(a);
    const order = [...a, ...b].sort((x, y) => x.timestamp - y.timestamp || (ofA.has(x) ? -1 : 1));
    for (const candle of order) recorder.record(ofA.has(candle) ? 'AAA/USD' : 'BBB/USD', candle);
    const { times, equity, buyAndHold } = recorder.curve();
    expect(Array.from(times)).toEqual(a.map((candle) => candle.timestamp));
    expect(new Set(equity)).toEqual(new Set([1_000]));
    // Each market holds half the cash, less the taker fee, from its first open; BBB is cash until its first candle.
    const units = { a: (500 * 0.999) / a[0]!.open, b: (500 * 0.999) / b[0]!.open };
    expect(buyAndHold[499]).toBe(0 + units.a * a[499]!.close + 500);
    expect(buyAndHold[500]).toBe(0 + units.a * a[500]!.close + units.b * b[0]!.close);
    expect(buyAndHold[1600]).toBe(0 + units.a * a[1600]!.close + units.b * b[999]!.close);
    expect(recorder).toMatchObject({ exposedSamples: 0, buyAndHoldFills: 2, buyAndHoldFees: 1 });
    // Walked in steps as the samples came, measured as performanceMetrics measures the whole curves.
    expect(recorder.metrics(0.02)).toStrictEqual({ strategy: performanceMetrics(times, equity, HOUR, 0.02, 1_000), buyAndHold: performanceMetrics(times, buyAndHold, HOUR, 0.02, 1_000) });
  });
});
