import type { ConsensusRound, Decision, Fill, Order, Portfolio } from '@ia-agents/core';
import { buildCandles } from '@ia-agents/core/testing';
import { createPaperExchange, type PaperExchangeState } from '@ia-agents/exchange';

/** A two-round decision with a full transcript (round 1 split, round 2 agreed). */
export function buildDecision(overrides: Partial<Decision> = {}): Decision {
  const time = overrides.createdAt ?? 1_700_000_000_000;
  const round = (index: number, action: 'BUY' | 'HOLD'): ConsensusRound => ({
    round: index,
    phase: index === 1 ? 'analysis' : 'debate',
    opinions: [
      { assistantId: 'technical-analyst', action: 'BUY', confidence: 0.7, reasoning: 'RSI 28 and rising', evidence: [{ name: 'rsi_14', value: 28.4, stance: 'bullish', weight: 1, detail: 'oversold' }], alert: false, degraded: false, abstain: false },
      { assistantId: 'risk-manager', action, confidence: 0.6, reasoning: 'volatility acceptable', evidence: [], alert: false, degraded: false, abstain: false, plan: { stopLoss: 41_000, sizeFraction: 0.1 } },
    ],
    abstentions: index === 1 ? [{ assistantId: 'fundamental-analyst', reason: 'timeout', message: 'no answer in 5000 ms' }] : [],
    votes: [
      { assistantId: 'technical-analyst', action: 'BUY', confidence: 0.7, weight: 1, reliability: 0.5, effectiveWeight: 0.35 },
      { assistantId: 'risk-manager', action, confidence: 0.6, weight: 1, reliability: 0.5, effectiveWeight: 0.3 },
    ],
    tally: { BUY: action === 'BUY' ? 0.65 : 0.35, SELL: 0, HOLD: action === 'BUY' ? 0 : 0.3 },
    leadingAction: 'BUY',
    share: action === 'BUY' ? 1 : 0.5384615384615384,
    reached: action === 'BUY',
    startedAt: time + index,
    endedAt: time + index + 1,
  });
  const rounds = [round(1, 'HOLD'), round(2, 'BUY')];
  return {
    id: 'decision-1',
    symbol: 'BTC/USDT',
    action: 'BUY',
    confidence: 0.65,
    consensusReached: true,
    escalated: false,
    proposedAction: 'BUY',
    votes: rounds[1]!.votes,
    rounds,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    price: 42_000.12,
    createdAt: time,
    completedAt: time + 3,
    ...overrides,
  };
}

/** An escalated decision (no agreement after the last round). */
export function buildEscalation(overrides: Partial<Decision> = {}): Decision {
  return buildDecision({ id: 'escalation-1', action: 'HOLD', consensusReached: false, escalated: true, proposedAction: 'BUY', escalationReason: 'no agreement after 2 rounds', ...overrides });
}

/** A filled market buy with awkward decimals (exactness checks). */
export function buildOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: 'exchange-order-1',
    clientOrderId: 'client-1',
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'market',
    amount: 0.1 + 0.2,
    filled: 0.1 + 0.2,
    remaining: 0,
    averagePrice: 42_000.123456789,
    status: 'filled',
    fee: { cost: 0.000012345678901, currency: 'USDT' },
    decisionId: 'decision-1',
    createdAt: 1_700_000_000_100,
    updatedAt: 1_700_000_000_200,
    ...overrides,
  };
}

/** A taker fill of `buildOrder()`. */
export function buildFill(overrides: Partial<Fill> = {}): Fill {
  return { id: 'fill-1', orderId: 'exchange-order-1', clientOrderId: 'client-1', symbol: 'BTC/USDT', side: 'buy', price: 42_000.123456789, amount: 0.30000000000000004, fee: { cost: 0.000012345678901, currency: 'USDT' }, liquidity: 'taker', timestamp: 1_700_000_000_200, ...overrides };
}

/** A portfolio with one BTC position. */
export function buildPortfolio(overrides: Partial<Portfolio> = {}): Portfolio {
  return {
    timestamp: 1_700_000_000_300,
    quoteCurrency: 'USDT',
    cash: 9_987.345678901234,
    equity: 10_012.5,
    peakEquity: 10_050,
    dayStartEquity: 10_000,
    balances: { USDT: { free: 9_987.345678901234, used: 0, total: 9_987.345678901234 }, BTC: { free: 0.30000000000000004, used: 0, total: 0.30000000000000004 } },
    positions: [{ symbol: 'BTC/USDT', amount: 0.30000000000000004, averageEntryPrice: 42_000.123456789, markPrice: 42_100, realizedPnl: 0, unrealizedPnl: 29.96296296330004, openedAt: 1_700_000_000_200 }],
    ...overrides,
  };
}

/**
 * A real PaperExchange's snapshot after a filled market buy of `amount` BTC and a resting limit
 * sell of half of it at 10% above the market (balances, a position, an open and a closed order, a fill).
 */
export async function buildPaperState(settings: { cash?: number; amount?: number } = {}): Promise<PaperExchangeState> {
  const exchange = createPaperExchange({ balances: { USDT: settings.cash ?? 10_000 }, fill: 'signal-close' });
  const candles = buildCandles({ count: 3, timeframe: '1m', startPrice: 40_000, seed: 5 });
  for (const candle of candles) exchange.onCandle('BTC/USDT', candle);
  const amount = settings.amount ?? 0.1;
  await exchange.createOrder({ clientOrderId: 'buy-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount });
  await exchange.createOrder({ clientOrderId: 'sell-1', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: amount / 2, price: Math.round(candles.at(-1)!.close * 1.1) });
  return exchange.snapshot();
}
