import { describe, expect, it } from 'vitest';
import { generateSeededCandles } from '../testing/seeded-candles.js';
import { createSmaCrossover } from '../strategies/sma-crossover.js';
import { runBacktest } from './run-backtest.js';

// backtrader 1.9.78 on the first 200,000 seeded candles (benchmarks/README.md): SMA(10)/SMA(30)
// crossover, all-in at the signal bar's close, 0.1 % commission, 100,000 start cash.
describe('backtrader reproduction through the full engine and PaperExchange', () => {
  it('makes 3,924 buys and ends at 44.66413026912343, to the last bit', async () => {
    const sma = createSmaCrossover({ fast: 10, slow: 30 });
    const result = await runBacktest({
      data: [{ symbol: 'SYN/USD', candles: generateSeededCandles(200_000, 42), timeframe: '1m' }],
      assistants: [sma.assistant],
      trigger: sma.trigger,
      initialCash: 100_000,
      lookback: 31,
      exchange: { fill: 'signal-close', makerFee: 0.001, takerFee: 0.001, slippage: { model: 'fixed', bps: 0 }, volumeShare: null },
      riskLimits: { maxPositionFraction: 1, maxTotalExposure: 1, maxDrawdownFraction: 1, maxDailyLossFraction: 1, minConfidence: 0, maxOpenOrders: 10 },
      consensus: { maxRounds: 1 },
    });
    const buys = result.fills.filter((fill) => fill.side === 'buy');
    const sells = result.fills.filter((fill) => fill.side === 'sell');
    expect(buys).toHaveLength(3_924);
    expect(sells).toHaveLength(3_923);
    expect(result.metrics.finalEquity).toBe(44.66413026912343);
    expect(result.engine.candles).toBe(200_000);
  });
});
