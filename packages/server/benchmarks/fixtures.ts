import type { ConsensusRound, Decision, Portfolio } from '@ia-agents/core';

/** A portfolio with two positions (what GET /portfolio returns). */
export const portfolio: Portfolio = {
  timestamp: 1_700_000_000_000,
  quoteCurrency: 'USDT',
  cash: 7_496.24875,
  equity: 9_982.40951112164,
  peakEquity: 10_000,
  dayStartEquity: 10_000,
  balances: { USDT: { free: 7_496.24875, used: 0, total: 7_496.24875 }, BTC: { free: 0.06299087970800661, used: 0, total: 0.06299087970800661 }, ETH: { free: 0.5, used: 0, total: 0.5 } },
  positions: [
    { symbol: 'BTC/USDT', amount: 0.06299087970800661, averageEntryPrice: 39_747.83749022248, markPrice: 39_468.58295432934, realizedPnl: 0, unrealizedPnl: -17.590488878360354, openedAt: 1_699_990_000_000 },
    { symbol: 'ETH/USDT', amount: 0.5, averageEntryPrice: 2_050.1, markPrice: 2_061.7, realizedPnl: 12.5, unrealizedPnl: 5.8, openedAt: 1_699_980_000_000 },
  ],
};

const ASSISTANTS = ['market-monitor', 'technical-analyst', 'fundamental-analyst', 'risk-manager', 'strategist', 'executor', 'auditor'];

/** A decision of the seven assistants over three rounds, each opinion with evidence (~12 KB JSON). */
export function decision(id: string, createdAt: number): Decision {
  const rounds: ConsensusRound[] = [1, 2, 3].map((round) => ({
    round,
    phase: round === 1 ? 'analysis' : 'debate',
    opinions: ASSISTANTS.map((assistantId, index) => ({
      assistantId,
      action: index % 3 === 0 ? 'BUY' : index % 3 === 1 ? 'HOLD' : 'SELL',
      confidence: 0.5 + index / 20,
      reasoning: `${assistantId} weighs RSI, MACD, volume and the others' positions in round ${round}; the trend is up but momentum is fading.`,
      evidence: [
        { name: 'rsi_14', value: 61.2 + index, stance: 'bullish', weight: 1, detail: 'RSI above 60' },
        { name: 'macd_histogram', value: -0.8, stance: 'bearish', weight: 0.5, detail: 'histogram turning down' },
        { name: 'volume_ratio', value: 1.4, stance: 'neutral', weight: 0.3 },
      ],
      alert: false,
      degraded: false,
      abstain: false,
    })),
    abstentions: [],
    votes: ASSISTANTS.map((assistantId, index) => ({ assistantId, action: index % 3 === 0 ? 'BUY' : index % 3 === 1 ? 'HOLD' : 'SELL', confidence: 0.5 + index / 20, weight: 1, reliability: 0.5, effectiveWeight: 0.25 + index / 40 })),
    tally: { BUY: 1.1, SELL: 0.6, HOLD: 0.7 },
    leadingAction: 'BUY',
    share: 0.4583333333333333,
    reached: round === 3,
    startedAt: createdAt + round,
    endedAt: createdAt + round + 1,
  }));
  return { id, symbol: 'BTC/USDT', action: 'BUY', confidence: 0.41, consensusReached: true, escalated: false, proposedAction: 'BUY', votes: rounds[2]!.votes, rounds, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, price: 39_500.5, createdAt, completedAt: createdAt + 5 };
}
