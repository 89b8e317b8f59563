import type { Balances, Portfolio, Position } from '../schemas/index.js';

/** Running references for drawdown and daily loss. */
export interface PortfolioMarks {
  peakEquity: number;
  dayStartEquity: number;
  day: number;
}

/**
 * Values live balances at the last known prices. Entry prices are not known from balances alone,
 * so positions are marked at their price (unrealised PnL 0); drawdown and daily loss use the peak
 * and the first valuation of each UTC day.
 */
export function buildLivePortfolio(balances: Balances, prices: ReadonlyMap<string, number>, quoteCurrency: string, timestamp: number, marks: PortfolioMarks): Portfolio {
  const positions: Position[] = [];
  for (const [symbol, price] of prices) {
    const [base, quote] = symbol.split('/');
    if (base === undefined || quote !== quoteCurrency) continue;
    const amount = balances[base]?.total ?? 0;
    if (amount > 0 && price > 0) positions.push({ symbol, amount, averageEntryPrice: price, markPrice: price, realizedPnl: 0, unrealizedPnl: 0, openedAt: timestamp });
  }
  const cash = balances[quoteCurrency]?.free ?? 0;
  const equity = (balances[quoteCurrency]?.total ?? 0) + positions.reduce((sum, position) => sum + position.amount * position.markPrice, 0);
  const day = Math.floor(timestamp / 86_400_000);
  if (day !== marks.day) {
    marks.day = day;
    marks.dayStartEquity = equity;
  }
  marks.peakEquity = Math.max(marks.peakEquity, equity);
  return { timestamp, quoteCurrency, cash, equity, peakEquity: marks.peakEquity, dayStartEquity: marks.dayStartEquity, balances, positions };
}
