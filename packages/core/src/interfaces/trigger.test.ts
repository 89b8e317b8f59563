import { describe, expect, it } from 'vitest';
import { anyTrigger, everyNthCandle, type TriggerFactory } from '../index.js';
import { buildCandles } from '../testing/index.js';

describe('anyTrigger', () => {
  it('fires when any trigger does, and feeds every trigger every candle', () => {
    const seen: number[] = [];
    const counting: TriggerFactory = () => ({ update: (candle) => (seen.push(candle.timestamp), false) });
    const trigger = anyTrigger(everyNthCandle(3), counting, everyNthCandle(5))('BTC/USDT');
    const fired = buildCandles({ count: 15 }).map((candle) => trigger.update(candle));
    expect(fired.map((reason, index) => (reason === false ? '' : `${index + 1}:${reason}`)).filter(Boolean)).toEqual(['3:every 3 candles', '5:every 5 candles', '6:every 3 candles', '9:every 3 candles', '10:every 5 candles', '12:every 3 candles', '15:every 3 candles']);
    expect(seen).toHaveLength(15);
  });
});

describe('everyNthCandle', () => {
  it('with the timeframe, fires on the candles closing at multiples of n candle lengths, wherever it starts', () => {
    // 1h candles from 2024-01-01 05:00 UTC: every 12 closes at 00:00 and 12:00 UTC.
    const candles = buildCandles({ count: 60, start: Date.UTC(2024, 0, 1, 5) });
    const firing = (from: number) => {
      const trigger = everyNthCandle(12, '1h')('BTC/USDT');
      return candles.slice(from).filter((candle) => trigger.update(candle) !== false).map((candle) => new Date(candle.timestamp + 3_600_000).toISOString());
    };
    expect(firing(0)).toEqual(['2024-01-01T12:00:00.000Z', '2024-01-02T00:00:00.000Z', '2024-01-02T12:00:00.000Z', '2024-01-03T00:00:00.000Z', '2024-01-03T12:00:00.000Z']);
    for (const start of [1, 7, 20, 33]) expect(firing(start)).toEqual(firing(0).filter((time) => Date.parse(time) > candles[start]!.timestamp));
    // Counted from its first candle instead without the timeframe: the candles move with the start.
    const counted = (from: number) => {
      const trigger = everyNthCandle(12)('BTC/USDT');
      return candles.slice(from).filter((candle) => trigger.update(candle) !== false).map((candle) => candle.timestamp);
    };
    expect(counted(0)[0]).toBe(candles[11]!.timestamp);
    expect(counted(5)[0]).toBe(candles[16]!.timestamp);
  });

  it('refuses a count that is not a whole number of candles', () => {
    expect(() => everyNthCandle(0)).toThrow('everyNthCandle needs a whole number of candles, 1 or more, got 0');
    expect(() => everyNthCandle(2.5, '1h')).toThrow(RangeError);
  });
});
