import { describe, expect, it } from 'vitest';
import { SimulatedClock, createTradingEngine, defineAssistant, everyCandle, type Candle } from '@ia-agents/core';
import { createArrayFeed } from '@ia-agents/core/testing';
import { createPaperExchange } from './paper-exchange.js';

const MINUTE = 60_000;
const candle = (index: number, open: number, close = open): Candle => ({ timestamp: index * MINUTE, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1_000 });

describe('TradingEngine on the PaperExchange', () => {
  it('protects what an entry got when the rest of it was cancelled for want of funds (a gap up at the open)', async () => {
    const clock = new SimulatedClock(0);
    const exchange = createPaperExchange({ balances: { USDT: 1_000 }, quoteCurrency: 'USDT', clock, takerFee: 0.001, makerFee: 0.001, slippage: { model: 'fixed', bps: 0 }, volumeShare: null });
    let decided = 0;
    // One all-in buy with a stop-loss and a take-profit, decided on the close of 100.
    const team = defineAssistant({ id: 'once', analyze: () => ({ assistantId: 'once', action: decided++ === 0 ? 'BUY' : 'HOLD', confidence: 1, reasoning: 'scripted', plan: { stopLoss: 90, takeProfit: 130 } }) });
    const candles = [candle(0, 100), candle(1, 104, 105), candle(2, 105), candle(3, 106)];
    const engine = createTradingEngine({ exchange, feed: createArrayFeed({ candles: { 'BTC/USDT': candles }, timeframe: '1m' }), clock, assistants: [team], trigger: everyCandle, quoteCurrency: 'USDT', lookback: 1, learning: false, consensus: { maxRounds: 1 }, riskLimits: { maxPositionFraction: 1, maxTotalExposure: 1, minConfidence: 0 } });
    await engine.run();
    const [entry, ...legs] = exchange.snapshot().orders.map((saved) => saved.order);
    // Sized at 100, filled at the 104 open: the cash bought 96 % of it and the rest was cancelled.
    expect(entry).toMatchObject({ side: 'buy', status: 'cancelled', reason: 'insufficient funds at fill time' });
    expect(entry!.filled).toBeGreaterThan(9);
    // What it got is protected all the same.
    expect(legs.map((order) => [order.type, order.status, order.amount])).toEqual([['stop-loss', 'open', entry!.filled], ['take-profit', 'open', entry!.filled]]);
  });
});
