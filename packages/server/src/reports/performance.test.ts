import { describe, expect, it } from 'vitest';
import { buildPortfolio } from '../testing/fixtures.js';
import { maxDrawdown, performanceReport, sharpeRatio } from './performance.js';

const HOUR = 3_600_000;
const curve = [100, 110, 99, 121, 115.5].map((equity, index) => buildPortfolio({ timestamp: index * HOUR, equity }));

describe('performanceReport', () => {
  it('computes return, drawdown, Sharpe and win rate of a curve', () => {
    const outcome = { symbol: 'BTC/USDT', entryPrice: 1, exitPrice: 1, bestAction: 'BUY' as const, openedAt: 0, closedAt: 1 };
    const report = performanceReport(curve, [
      { ...outcome, decisionId: 'a', action: 'BUY', priceReturn: 0.02 },
      { ...outcome, decisionId: 'b', action: 'SELL', priceReturn: 0.01 },
      { ...outcome, decisionId: 'c', action: 'BUY', priceReturn: -0.01, pnl: 3 },
      { ...outcome, decisionId: 'd', action: 'HOLD', priceReturn: 0.5 },
    ]);
    const returns = [0.1, -0.1, 121 / 99 - 1, 115.5 / 121 - 1];
    const mean = returns.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    expect(report).toEqual({ startEquity: 100, endEquity: 115.5, totalReturn: 115.5 / 100 - 1, sharpe: expect.closeTo((mean / sd) * Math.sqrt(8760), 10), maxDrawdown: expect.closeTo(0.1, 12), winRate: 2 / 3, trades: 3, points: 5 });
  });

  it('has no Sharpe or win rate without data', () => {
    expect(sharpeRatio(curve.slice(0, 2))).toBeNull();
    expect(performanceReport([], [])).toEqual({ startEquity: 0, endEquity: 0, totalReturn: 0, sharpe: null, maxDrawdown: 0, winRate: null, trades: 0, points: 0 });
    expect(maxDrawdown([{ equity: 5 }, { equity: 10 }, { equity: 2.5 }])).toBe(0.75);
  });
});
