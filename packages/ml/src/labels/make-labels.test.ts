import { describe, expect, it } from 'vitest';
import { makeLabels } from './make-labels.js';

const candle = (timestamp: number, close: number, high = close, low = close) => ({ timestamp, open: close, high, low, close, volume: 1 });

describe('makeLabels', () => {
  it('labels direction with a dead band, magnitude as the forward log return, risk as the forward excursion', () => {
    const candles = [candle(0, 100), candle(1, 101, 103, 100), candle(2, 100.9, 101, 99), candle(3, 99)];
    const labels = makeLabels(candles, { horizon: 1, deadBand: 0.002 });
    expect(Array.from(labels.direction)).toEqual([2, 1, 0, -1]);
    expect(labels.magnitude[0]).toBeCloseTo(Math.log(1.01), 12);
    expect(labels.risk[0]).toBeCloseTo(Math.log(103 / 100), 12);
    expect(labels.risk[1]).toBeCloseTo(Math.abs(Math.log(99 / 101)), 12);
    expect(Number.isNaN(labels.magnitude[3]!)).toBe(true);
  });

  it('looks h candles ahead and leaves the last h unlabelled', () => {
    const candles = [candle(0, 100), candle(1, 90, 90, 80), candle(2, 105), candle(3, 100)];
    const labels = makeLabels(candles, { horizon: 2, deadBand: 0 });
    expect(Array.from(labels.direction)).toEqual([2, 2, -1, -1]);
    expect(labels.risk[0]).toBeCloseTo(Math.abs(Math.log(80 / 100)), 12);
  });

  it('rejects a bad horizon with the field name', () => {
    expect(() => makeLabels([], { horizon: 0 })).toThrow(/horizon/);
  });
});
