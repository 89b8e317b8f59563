import { describe, expect, it } from 'vitest';
import type { Fill } from '@ia-agents/core';
import { drawdownSeries, maxDrawdown, performanceMetrics, roundTrips, tradeMetrics } from './metrics.js';

const DAY = 86_400_000;

describe('performanceMetrics', () => {
  it('computes returns, drawdown and its duration on a known curve', () => {
    const times = [0, 1, 2, 3, 4, 5].map((day) => day * DAY);
    const equity = [100, 110, 99, 88, 110, 121];
    const metrics = performanceMetrics(times, equity, DAY);
    expect(metrics.totalReturn).toBeCloseTo(0.21, 12);
    expect(metrics.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(metrics.maxDrawdownDuration).toBe(2 * DAY);
    const years = (6 * DAY) / (365.25 * DAY);
    expect(metrics.cagr).toBeCloseTo(Math.pow(1.21, 1 / years) - 1, 6);
    expect(metrics.calmar).toBeCloseTo(metrics.cagr / 0.2, 6);
    const returns = [0.1, -0.1, -1 / 9, 0.25, 0.1];
    const mean = returns.reduce((a, b) => a + b) / 5;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(metrics.annualizedVolatility).toBeCloseTo(sd * Math.sqrt(365.25), 10);
    expect(metrics.sharpe).toBeCloseTo((mean * 365.25) / (sd * Math.sqrt(365.25)), 10);
    const downside = Math.sqrt((0.01 + 1 / 81) / 5) * Math.sqrt(365.25);
    expect(metrics.sortino).toBeCloseTo((mean * 365.25) / downside, 10);
  });

  it('measures from the initial equity when given, so a loss on the first candle counts', () => {
    // Regression: buy-and-hold bought at the first open but was measured from the first close.
    const times = [0, 1, 2].map((day) => day * DAY);
    const metrics = performanceMetrics(times, [90, 99, 108], DAY, 0, 100);
    expect(metrics).toMatchObject({ initialEquity: 100, finalEquity: 108, maxDrawdown: expect.closeTo(0.1, 12), maxDrawdownDuration: 2 * DAY });
    expect(metrics.totalReturn).toBeCloseTo(0.08, 12);
    expect(metrics.cagr).toBeCloseTo(Math.pow(1.08, 365.25 / 3) - 1, 6);
    const returns = [-0.1, 0.1, 108 / 99 - 1];
    const mean = returns.reduce((a, b) => a + b) / 3;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    expect(metrics.annualizedVolatility).toBeCloseTo(sd * Math.sqrt(365.25), 10);
    expect(drawdownSeries([90, 99, 108], 100)).toEqual([-0.09999999999999998, -0.010000000000000009, 0]);
  });

  it('gives null ratios for a flat curve instead of dividing by zero', () => {
    expect(performanceMetrics([0, DAY], [5, 5], DAY)).toMatchObject({ sharpe: null, sortino: null, calmar: null, maxDrawdown: 0, totalReturn: 0 });
  });

  it('counts an unrecovered drawdown up to the end', () => {
    expect(maxDrawdown([0, 10, 20, 30], [10, 5, 6, 7])).toEqual({ fraction: 0.5, duration: 30 });
    expect(drawdownSeries([10, 5, 10, 20, 15])).toEqual([0, -0.5, 0, 0, -0.25]);
  });
});

describe('roundTrips and tradeMetrics', () => {
  const fill = (side: 'buy' | 'sell', price: number, amount: number, timestamp: number, fee = 1): Fill => ({ id: `f${timestamp}`, orderId: `o${timestamp}`, clientOrderId: `c${timestamp}`, symbol: 'BTC/USD', side, price, amount, fee: { cost: fee, currency: 'USD' }, liquidity: 'taker', timestamp });

  it('groups fills from flat to flat and scores them after fees', () => {
    const fills = [fill('buy', 100, 1, 1), fill('buy', 110, 1, 2), fill('sell', 120, 2, 3), fill('buy', 100, 1, 4), fill('sell', 90, 1, 5), fill('buy', 95, 1, 6)];
    const trips = roundTrips(fills);
    expect(trips).toEqual([
      { symbol: 'BTC/USD', openedAt: 1, closedAt: 3, amount: 2, entryPrice: 105, exitPrice: 120, pnl: 240 - 210 - 3, fees: 3 },
      { symbol: 'BTC/USD', openedAt: 4, closedAt: 5, amount: 1, entryPrice: 100, exitPrice: 90, pnl: -12, fees: 2 },
      { symbol: 'BTC/USD', openedAt: 6, closedAt: null, amount: 1, entryPrice: 95, exitPrice: null, pnl: null, fees: 1 },
    ]);
    expect(tradeMetrics(trips, fills, 3, 6)).toEqual({ trades: 2, winRate: 0.5, profitFactor: 27 / 12, exposure: 0.5, feesPaid: 6, fills: 6 });
  });
});
