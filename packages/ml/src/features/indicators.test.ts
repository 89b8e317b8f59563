import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFixtureCandles } from '../test-support/fixture-candles.js';
import { toCandleColumns } from './candle-columns.js';
import { atr, ema, logReturn, macd, rollingStd, rsi, sma } from './indicators.js';

// Independent reference: R's TTR on the same real Binance candles (fixtures/README.md).
const reference = (() => {
  const [header, ...lines] = readFileSync(new URL('../../fixtures/ttr_binance_BTC-USDT_1h.csv', import.meta.url), 'utf8').trim().split('\n');
  const names = header!.split(',');
  const columns: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (const line of lines) line.split(',').forEach((cell, j) => columns[names[j]!]!.push(cell === '' ? Number.NaN : Number(cell)));
  return columns;
})();
const candles = toCandleColumns(loadFixtureCandles('binance_BTC-USDT_1h.csv'));

function expectMatches(ours: Float64Array, theirs: number[], tolerance = 1e-9): void {
  expect(ours.length).toBe(theirs.length);
  let compared = 0;
  theirs.forEach((value, i) => {
    expect(Number.isNaN(ours[i]!), `row ${i}: warm-up must agree`).toBe(Number.isNaN(value));
    if (Number.isNaN(value)) return;
    expect(Math.abs(ours[i]! - value), `row ${i}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(value)));
    compared++;
  });
  expect(compared).toBeGreaterThan(500);
}

describe('indicators against R TTR on real Binance candles', () => {
  it('SMA(20) and EMA(20), EMA(50)', () => {
    expectMatches(sma(candles.close, 20), reference.sma_20!);
    expectMatches(ema(candles.close, 20), reference.ema_20!);
    expectMatches(ema(candles.close, 50), reference.ema_50!);
  });

  it("RSI(14), Wilder's smoothing", () => {
    expectMatches(rsi(candles.close, 14), reference.rsi_14!);
  });

  it('MACD(12, 26, 9): line, signal, histogram', () => {
    const lines = macd(candles.close, 12, 26, 9);
    expectMatches(lines.line, reference.macd_12_26_9!.map((value, i) => (i < 25 ? Number.NaN : value)));
    expectMatches(lines.signal, reference.macd_signal_12_26_9!);
    expectMatches(lines.histogram, reference.macd_hist_12_26_9!);
  });

  it('Bollinger bands from the rolling population deviation', () => {
    const middle = sma(candles.close, 20);
    const deviation = rollingStd(candles.close, 20);
    expectMatches(middle.map((m, i) => m + 2 * deviation[i]!), reference.bb_upper_20_2!, 1e-8);
    expectMatches(middle.map((m, i) => m - 2 * deviation[i]!), reference.bb_lower_20_2!, 1e-8);
  });

  it('ATR(14)', () => {
    expectMatches(atr(candles.high, candles.low, candles.close, 14), reference.atr_14!);
  });

  it('log returns are NaN until the lag is reached', () => {
    const returns = logReturn(Float64Array.of(100, 110, 121), 1);
    expect(Number.isNaN(returns[0]!)).toBe(true);
    expect(returns[1]).toBeCloseTo(Math.log(1.1), 12);
    expect(returns[2]).toBeCloseTo(Math.log(1.1), 12);
  });
});
