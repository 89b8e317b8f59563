import { riskLimitsSchema, type Decision, type OrderBook, type Portfolio } from '@ia-agents/core';
import { describe, expect, it } from 'vitest';
import { coinbaseSnapshot, ruleContext } from '../test-support/context.js';
import { Auditor } from './auditor.js';
import { Executor } from './executor.js';
import { planOrders } from './order-planner.js';
import { RiskManager } from './risk-manager.js';

const CALM = '2019-11-01T00:00:00Z';

function book(mid: number, levels: number, step: number, size: number): OrderBook {
  return {
    symbol: 'BTC/USD',
    timestamp: 0,
    bids: Array.from({ length: levels }, (_, i) => [mid * (1 - 0.0001 - i * step), size] as [number, number]),
    asks: Array.from({ length: levels }, (_, i) => [mid * (1 + 0.0001 + i * step), size] as [number, number]),
  };
}

function portfolio(overrides: Partial<Portfolio> = {}): Portfolio {
  return { timestamp: 0, quoteCurrency: 'USD', cash: 100_000, equity: 100_000, peakEquity: 100_000, dayStartEquity: 100_000, balances: {}, positions: [], ...overrides };
}

function decision(overrides: Partial<Decision>): Decision {
  return { id: 'decision-1', symbol: 'BTC/USD', action: 'BUY', confidence: 0.8, consensusReached: true, escalated: false, proposedAction: 'BUY', votes: [], rounds: [], usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, price: 9000, createdAt: 0, completedAt: 0, ...overrides };
}

describe('RiskManager with a portfolio', () => {
  it('vetoes new risk past the drawdown and daily-loss limits, and leans SELL when holding', async () => {
    const close = coinbaseSnapshot(CALM).candles.at(-1)!.close;
    const held = { symbol: 'BTC/USD', amount: 1, averageEntryPrice: 11_000, markPrice: close, realizedPnl: 0, unrealizedPnl: 0, openedAt: 0 };
    const snapshot = coinbaseSnapshot(CALM, { portfolio: portfolio({ equity: 75_000, peakEquity: 100_000, dayStartEquity: 80_000, positions: [held] }) });
    const opinion = await new RiskManager().analyze(snapshot, ruleContext());
    expect(opinion.veto).toBe('risk: drawdown 25.0% >= limit 20.0%; daily loss 6.3% >= limit 5.0%');
    expect(opinion.action).toBe('SELL');
    expect(opinion.evidence!.find((item) => item.name === 'drawdown')).toMatchObject({ value: 0.25, stance: 'bearish' });
  });

  it('vetoes buying only, so the team can still cut the position, and keeps the veto through debate', async () => {
    const held = { symbol: 'BTC/USD', amount: 1, averageEntryPrice: 11_000, markPrice: 9000, realizedPnl: 0, unrealizedPnl: 0, openedAt: 0 };
    const snapshot = coinbaseSnapshot(CALM, { portfolio: portfolio({ equity: 70_000, peakEquity: 100_000, positions: [held] }) });
    const risk = new RiskManager();
    const opinion = await risk.analyze(snapshot, ruleContext());
    expect(opinion).toMatchObject({ action: 'SELL', vetoActions: ['BUY'] });
    const own = { ...opinion, evidence: [], alert: true, degraded: false, abstain: false } as never;
    const buyer = { assistantId: 'a', action: 'BUY' as const, confidence: 0.9, reasoning: 'up', evidence: [{ name: 'x', value: 1, stance: 'bullish' as const, weight: 1 }], alert: false, degraded: false, abstain: false };
    const revised = await risk.debate(own, [buyer, { ...buyer, assistantId: 'b' }], snapshot, ruleContext(2));
    expect(revised.veto).toMatch(/^risk: drawdown 30.0%/);
    expect(revised.action).toBe('SELL');
  });

  it('abstains from the vote within its limits, carrying only its size', async () => {
    const opinion = await new RiskManager().analyze(coinbaseSnapshot(CALM), ruleContext());
    expect(opinion.abstain).toBe(true);
    expect(opinion.veto).toBeUndefined();
    expect(opinion.plan?.sizeFraction).toBeGreaterThan(0);
  });

  it('caps the size by the exposure room left', () => {
    const close = coinbaseSnapshot(CALM).candles.at(-1)!.close;
    const held = { symbol: 'BTC/USD', amount: 2, averageEntryPrice: close, markPrice: close, realizedPnl: 0, unrealizedPnl: 0, openedAt: 0 };
    const snapshot = coinbaseSnapshot(CALM, { portfolio: portfolio({ positions: [held] }) });
    const reading = new RiskManager().assess(snapshot);
    expect(reading.symbolExposure).toBeCloseTo((2 * close) / 100_000, 10);
    expect(reading.sizeFraction).toBeCloseTo(Math.min(0.25 - reading.symbolExposure, 0.01 / (2 * reading.atrFraction)), 4);
  });
});

describe('Executor', () => {
  it('passes a deep, tight book and vetoes a thin or wide one', async () => {
    const close = coinbaseSnapshot(CALM).candles.at(-1)!.close;
    const deep = await new Executor().analyze(coinbaseSnapshot(CALM, { orderBook: book(close, 50, 0.0002, 5) }), ruleContext());
    expect(deep.veto).toBeUndefined();
    expect(deep.confidence).toBe(0.1);
    const thin = await new Executor().analyze(coinbaseSnapshot(CALM, { orderBook: book(close, 3, 0.01, 0.1) }), ruleContext());
    expect(thin.veto).toBe('execution: the visible book cannot fill a typical order');
    const wide = await new Executor().analyze(coinbaseSnapshot(CALM, { orderBook: { ...book(close, 50, 0.0002, 5), asks: [[close * 1.01, 100]] } }), ruleContext());
    expect(wide.veto).toMatch(/^execution: spread 1\.0\d\d% > 0\.500%$/);
  });

  it('plans a BUY from the plan size, splits it by depth, and gives stable client order ids', () => {
    const orderBook = book(10_000, 40, 0.0002, 0.1);
    const first = planOrders(decision({ plan: { sizeFraction: 0.2 } }), { portfolio: portfolio(), orderBook });
    expect(first.refused).toBeUndefined();
    const total = first.orders.reduce((sum, order) => sum + order.amount, 0);
    expect(total).toBeCloseTo(20_000 / 10_000, 10);
    expect(first.orders.length).toBeGreaterThan(1);
    expect(new Set(first.orders.map((order) => order.clientOrderId)).size).toBe(first.orders.length);
    expect(first.orders.every((order) => order.clientOrderId.length <= 36 && order.side === 'buy' && order.type === 'market' && order.decisionId === 'decision-1')).toBe(true);
    expect(planOrders(decision({ plan: { sizeFraction: 0.2 } }), { portfolio: portfolio(), orderBook }).orders).toEqual(first.orders);
  });

  it('refuses what cannot fill, SELLs without a position and HOLD', () => {
    expect(planOrders(decision({}), { portfolio: portfolio(), orderBook: book(10_000, 2, 0.001, 0.1) }).refused).toBe('the visible book cannot fill 1 BTC/USD');
    expect(planOrders(decision({ action: 'SELL' }), { portfolio: portfolio() })).toEqual({ orders: [], refused: 'no BTC/USD position to sell' });
    expect(planOrders(decision({ action: 'HOLD' }), { portfolio: portfolio() }).orders).toEqual([]);
    const slippy = book(10_000, 40, 0.002, 0.2);
    expect(planOrders(decision({ plan: { sizeFraction: 0.5 } }), { portfolio: portfolio(), orderBook: slippy, maxSlices: 100 }).refused).toMatch(/^expected slippage \d+\.\d\d% exceeds 1\.00%/);
  });

  it('sells the whole position', () => {
    const held = { symbol: 'BTC/USD', amount: 0.75, averageEntryPrice: 9000, markPrice: 9000, realizedPnl: 0, unrealizedPnl: 0, openedAt: 0 };
    const { orders } = planOrders(decision({ action: 'SELL' }), { portfolio: portfolio({ positions: [held] }) });
    expect(orders).toEqual([{ clientOrderId: expect.stringMatching(/^ia-[0-9a-f]{24}-0$/) as unknown as string, symbol: 'BTC/USD', side: 'sell', type: 'market', amount: 0.75, decisionId: 'decision-1' }]);
  });
});

describe('Auditor', () => {
  const limits = riskLimitsSchema.parse({});
  const bearish = [{ name: 'rsi', value: 80, stance: 'bearish' as const, weight: 1 }, { name: 'macd', value: -2, stance: 'bearish' as const, weight: 1 }];

  it('flags an action that contradicts the evidence it cites, and broken plans', () => {
    const auditor = new Auditor();
    expect(auditor.auditOpinion({ action: 'BUY', confidence: 0.8, evidence: bearish }, limits)).toEqual(['BUY contradicts its own evidence (net -1.00)']);
    expect(auditor.auditOpinion({ action: 'SELL', confidence: 0.8, evidence: bearish }, limits)).toEqual([]);
    expect(auditor.auditOpinion({ action: 'BUY', confidence: 0.9, evidence: [], plan: { entry: 100, stopLoss: 105, takeProfit: 99, sizeFraction: 0.5 } }, limits)).toEqual([
      'BUY at confidence 0.9 cites no evidence',
      'size 0.5 above the position limit 0.25',
      'BUY stop-loss 105 is not below entry 100',
      'BUY take-profit 99 is not above entry 100',
    ]);
  });

  it('leans to HOLD in debate when it flags others, and keeps the trail', async () => {
    const auditor = new Auditor();
    const snapshot = coinbaseSnapshot(CALM);
    const own = { ...(await auditor.analyze(snapshot, ruleContext())), evidence: [], alert: false, degraded: false } as never;
    const liar = { assistantId: 'liar', action: 'BUY' as const, confidence: 0.9, reasoning: 'buy', evidence: bearish, alert: false, degraded: false, abstain: false };
    const honest = { ...liar, assistantId: 'honest', action: 'SELL' as const };
    const revised = await auditor.debate(own, [liar, honest], snapshot, { ...ruleContext(2), decisionId: 'd-7' });
    expect(revised.action).toBe('HOLD');
    expect(revised.confidence).toBe(0.45);
    expect(revised.evidence).toContainEqual({ name: 'audit:liar', value: 'BUY contradicts its own evidence (net -1.00)', stance: 'neutral', weight: 1, detail: 'BUY contradicts its own evidence (net -1.00)' });
    expect(auditor.trail).toEqual([
      { decisionId: 'd-7', round: 2, subject: 'liar', flags: ['BUY contradicts its own evidence (net -1.00)'] },
      { decisionId: 'd-7', round: 2, subject: 'honest', flags: [] },
    ]);
  });

  it('audits final decisions against the limits and the votes', () => {
    const auditor = new Auditor();
    const weak = auditor.auditDecision(decision({ confidence: 0.3, votes: [{ assistantId: 'a', action: 'BUY', confidence: 0.4, weight: 1, reliability: 0.5, effectiveWeight: 0.2 }, { assistantId: 'b', action: 'HOLD', confidence: 0.9, weight: 1, reliability: 0.5, effectiveWeight: 0.45 }] }), limits);
    expect(weak.flags).toEqual(['BUY at confidence 0.3 below the minimum 0.4', 'BUY carried only 31% of the final vote']);
    expect(auditor.auditDecision(decision({ action: 'HOLD' }), limits).flags).toEqual([]);
  });

  it('reports gaps and stale data in the snapshot', async () => {
    const snapshot = coinbaseSnapshot(CALM);
    const gapped = { ...snapshot, candles: snapshot.candles.filter((_, index) => index !== 100), timestamp: snapshot.timestamp + 3 * 14_400_000 };
    const opinion = await new Auditor().analyze(gapped, ruleContext());
    expect(opinion.evidence).toEqual([
      { name: 'data_gaps', value: 1, stance: 'bearish', weight: 0.5, detail: '1 gap(s) between the 199 candles' },
      { name: 'data_staleness', value: 3, stance: 'bearish', weight: 0.5, detail: 'last candle closed 3.0 candle(s) before the decision time' },
    ]);
  });
});
