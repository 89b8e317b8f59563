import type { AssistantRecord, Portfolio, TradeOutcome } from '@ia-agents/core';

/** Headline figures of an equity curve and its trades. */
export interface PerformanceReport {
  /** Equity at the first valuation. */
  startEquity: number;
  /** Equity at the last valuation. */
  endEquity: number;
  /** endEquity / startEquity - 1. */
  totalReturn: number;
  /** Annualised Sharpe ratio of per-valuation returns (risk-free 0); null with fewer than 3 points or no variance. */
  sharpe: number | null;
  /** Largest fall from a running peak, as a fraction. */
  maxDrawdown: number;
  /** Share of measured BUY/SELL decisions that made money; null when none. */
  winRate: number | null;
  /** Measured BUY/SELL decisions. */
  trades: number;
  /** Valuations in the curve. */
  points: number;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Annualised Sharpe of the step returns of a curve. */
export function sharpeRatio(curve: readonly Pick<Portfolio, 'timestamp' | 'equity'>[]): number | null {
  if (curve.length < 3) return null;
  const returns: number[] = [];
  const steps: number[] = [];
  for (let index = 1; index < curve.length; index += 1) {
    const previous = curve[index - 1]!;
    const current = curve[index]!;
    if (previous.equity <= 0) continue;
    returns.push(current.equity / previous.equity - 1);
    steps.push(current.timestamp - previous.timestamp);
  }
  const mean = returns.reduce((sum, value) => sum + value, 0) / returns.length;
  const variance = returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (returns.length - 1);
  const step = median(steps);
  if (variance === 0 || step <= 0) return null;
  return (mean / Math.sqrt(variance)) * Math.sqrt(YEAR_MS / step);
}

/** Largest peak-to-trough fall of a curve, as a fraction. */
export function maxDrawdown(curve: readonly Pick<Portfolio, 'equity'>[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const { equity } of curve) {
    peak = Math.max(peak, equity);
    if (peak > 0) worst = Math.max(worst, 1 - equity / peak);
  }
  return worst;
}

/** Whether a measured BUY/SELL decision made money (its PnL when known, else the price move). */
function won(outcome: TradeOutcome): boolean {
  if (outcome.pnl !== undefined) return outcome.pnl > 0;
  return outcome.action === 'BUY' ? outcome.priceReturn > 0 : outcome.priceReturn < 0;
}

/** Return, Sharpe, drawdown and win rate of a curve (time order) and the outcomes of its decisions. */
export function performanceReport(curve: readonly Portfolio[], outcomes: readonly TradeOutcome[]): PerformanceReport {
  const trades = outcomes.filter((outcome) => outcome.action !== 'HOLD');
  const startEquity = curve[0]?.equity ?? 0;
  const endEquity = curve.at(-1)?.equity ?? 0;
  return {
    startEquity,
    endEquity,
    totalReturn: startEquity > 0 ? endEquity / startEquity - 1 : 0,
    sharpe: sharpeRatio(curve),
    maxDrawdown: maxDrawdown(curve),
    winRate: trades.length === 0 ? null : trades.filter(won).length / trades.length,
    trades: trades.length,
    points: curve.length,
  };
}

/** Accuracy of each assistant from its learned record. */
export function assistantAccuracy(records: readonly AssistantRecord[]): { assistantId: string; outcomes: number; correct: number; accuracy: number | null; reliability: number }[] {
  return records.map((record) => ({ assistantId: record.assistantId, outcomes: record.outcomes, correct: record.correct, accuracy: record.outcomes === 0 ? null : record.correct / record.outcomes, reliability: record.reliability }));
}
