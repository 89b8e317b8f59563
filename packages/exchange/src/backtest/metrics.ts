import type { Fill } from '@ia-agents/core';

const YEAR_MS = 365.25 * 86_400_000;

/** Performance figures of one equity curve. */
export interface PerformanceMetrics {
  /** Equity at the start. */
  initialEquity: number;
  /** Equity at the end. */
  finalEquity: number;
  /** final / initial - 1. */
  totalReturn: number;
  /** Compound annual growth rate. */
  cagr: number;
  /** Standard deviation of per-candle returns, annualised (365.25-day year: crypto never closes). */
  annualizedVolatility: number;
  /** Annualised mean return over annualised volatility (risk-free rate subtracted); null when flat. */
  sharpe: number | null;
  /** Annualised mean return over annualised downside deviation; null with no down candle. */
  sortino: number | null;
  /** CAGR over maximum drawdown; null with no drawdown. */
  calmar: number | null;
  /** Largest fall from a peak, as a fraction of the peak. */
  maxDrawdown: number;
  /** Longest time under a previous peak, in milliseconds. */
  maxDrawdownDuration: number;
}

/** Figures of the trades (round trips) of a run. */
export interface TradeMetrics {
  /** Closed round trips. */
  trades: number;
  /** Share of closed round trips with a positive result after fees; null with none. */
  winRate: number | null;
  /** Gross profit over gross loss; null with no losing trade. */
  profitFactor: number | null;
  /** Share of the candles with a position open. */
  exposure: number;
  /** Fees paid, quote currency. */
  feesPaid: number;
  /** Number of fills. */
  fills: number;
}

/** One round trip: from flat to flat in one symbol. */
export interface RoundTrip {
  symbol: string;
  /** Time of the first buy. */
  openedAt: number;
  /** Time of the sell that closed it, null while open. */
  closedAt: number | null;
  /** Base bought. */
  amount: number;
  /** Volume-weighted buy price. */
  entryPrice: number;
  /** Volume-weighted sell price, null while open. */
  exitPrice: number | null;
  /** Sell value - buy value - fees, quote currency (closed trips). */
  pnl: number | null;
  /** Fees paid on the trip. */
  fees: number;
}

/**
 * Metrics of an equity curve sampled once per candle, each sample taken at the candle's close.
 * With `initialEquity` (the cash before the first candle, as a backtest has), returns, drawdown
 * and CAGR are measured from it, so a loss on the first candle counts; without it they start at
 * the first sample.
 * @param times - sample times, UTC ms (ascending): the open time of each candle
 * @param equity - equity at each candle's close
 * @param periodMs - the candle length (annualisation)
 * @param riskFreeRate - annual risk-free rate for Sharpe and Sortino
 * @param initialEquity - equity before the first candle
 */
export function performanceMetrics(times: ArrayLike<number>, equity: ArrayLike<number>, periodMs: number, riskFreeRate = 0, initialEquity?: number): PerformanceMetrics {
  if (initialEquity === undefined || equity.length === 0) return curveMetrics(Array.from(times), Array.from(equity), periodMs, riskFreeRate);
  // The starting cash stands at the first candle's open; every sample at its candle's close.
  const closes = [times[0]!, ...Array.from(times, (time) => time + periodMs)];
  return curveMetrics(closes, [initialEquity, ...Array.from(equity)], periodMs, riskFreeRate, 0);
}

/** The metrics of points `(times[i], equity[i])` that span `times` plus `extraSpanMs`. */
function curveMetrics(times: readonly number[], equity: readonly number[], periodMs: number, riskFreeRate: number, extraSpanMs = periodMs): PerformanceMetrics {
  const count = equity.length;
  const initialEquity = count > 0 ? equity[0]! : 0;
  const finalEquity = count > 0 ? equity[count - 1]! : 0;
  const periodsPerYear = YEAR_MS / periodMs;
  const returns = periodReturns(equity);
  const mean = average(returns);
  const volatility = Math.sqrt(variance(returns, mean)) * Math.sqrt(periodsPerYear);
  const downside = Math.sqrt(average(returns.map((value) => (value < 0 ? value * value : 0)))) * Math.sqrt(periodsPerYear);
  const annualMean = mean * periodsPerYear;
  const years = count > 1 ? (times[count - 1]! - times[0]! + extraSpanMs) / YEAR_MS : 0;
  const totalReturn = initialEquity > 0 ? finalEquity / initialEquity - 1 : 0;
  const cagr = years > 0 && initialEquity > 0 ? Math.pow(Math.max(finalEquity, 0) / initialEquity, 1 / years) - 1 : 0;
  const drawdown = maxDrawdown(times, equity);
  return {
    initialEquity,
    finalEquity,
    totalReturn,
    cagr,
    annualizedVolatility: volatility,
    sharpe: volatility > 0 ? (annualMean - riskFreeRate) / volatility : null,
    sortino: downside > 0 ? (annualMean - riskFreeRate) / downside : null,
    calmar: drawdown.fraction > 0 ? cagr / drawdown.fraction : null,
    maxDrawdown: drawdown.fraction,
    maxDrawdownDuration: drawdown.duration,
  };
}

function periodReturns(equity: ArrayLike<number>): number[] {
  const returns: number[] = [];
  for (let index = 1; index < equity.length; index++) {
    const previous = equity[index - 1]!;
    returns.push(previous > 0 ? equity[index]! / previous - 1 : 0);
  }
  return returns;
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function variance(values: readonly number[], mean: number): number {
  if (values.length < 2) return 0;
  return values.reduce((sum, value) => sum + (value - mean) * (value - mean), 0) / (values.length - 1);
}

/** Largest peak-to-trough fall and the longest time below a peak (to recovery, or to the end). */
export function maxDrawdown(times: ArrayLike<number>, equity: ArrayLike<number>): { fraction: number; duration: number } {
  let peak = Number.NEGATIVE_INFINITY;
  let peakTime = 0;
  let fraction = 0;
  let duration = 0;
  for (let index = 0; index < equity.length; index++) {
    const value = equity[index]!;
    const time = times[index]!;
    if (value >= peak) {
      peak = value;
      peakTime = time;
      continue;
    }
    if (peak > 0) fraction = Math.max(fraction, 1 - value / peak);
    duration = Math.max(duration, time - peakTime);
  }
  return { fraction, duration };
}

/** Drawdown (fraction below the running peak, which starts at `initialEquity` when given) at every sample. */
export function drawdownSeries(equity: ArrayLike<number>, initialEquity = Number.NEGATIVE_INFINITY): number[] {
  let peak = initialEquity;
  const result: number[] = [];
  for (let index = 0; index < equity.length; index++) {
    peak = Math.max(peak, equity[index]!);
    result.push(peak > 0 ? equity[index]! / peak - 1 : 0);
  }
  return result;
}

/** Groups fills into round trips per symbol: a trip opens on the first buy while flat and closes when flat again. */
export function roundTrips(fills: readonly Fill[]): RoundTrip[] {
  const open = new Map<string, { trip: RoundTrip; held: number; bought: number; soldValue: number; sold: number }>();
  const trips: RoundTrip[] = [];
  for (const fill of fills) {
    let current = open.get(fill.symbol);
    if (current === undefined) {
      if (fill.side === 'sell') continue;
      current = { trip: { symbol: fill.symbol, openedAt: fill.timestamp, closedAt: null, amount: 0, entryPrice: 0, exitPrice: null, pnl: null, fees: 0 }, held: 0, bought: 0, soldValue: 0, sold: 0 };
      open.set(fill.symbol, current);
      trips.push(current.trip);
    }
    const { trip } = current;
    trip.fees += fill.fee.cost;
    if (fill.side === 'buy') {
      trip.entryPrice = (trip.entryPrice * current.bought + fill.price * fill.amount) / (current.bought + fill.amount);
      current.bought += fill.amount;
      current.held += fill.amount;
      trip.amount = current.bought;
    } else {
      current.soldValue += fill.price * fill.amount;
      current.sold += fill.amount;
      current.held -= fill.amount;
      if (current.held <= current.bought * 1e-9) {
        trip.closedAt = fill.timestamp;
        trip.exitPrice = current.soldValue / current.sold;
        trip.pnl = current.soldValue - trip.entryPrice * current.bought - trip.fees;
        open.delete(fill.symbol);
      }
    }
  }
  return trips;
}

/** Win rate, profit factor, exposure and fees of a run. */
export function tradeMetrics(trips: readonly RoundTrip[], fills: readonly Fill[], exposedCandles: number, totalCandles: number): TradeMetrics {
  const closed = trips.filter((trip) => trip.pnl !== null);
  const wins = closed.filter((trip) => trip.pnl! > 0);
  const grossProfit = wins.reduce((sum, trip) => sum + trip.pnl!, 0);
  const grossLoss = closed.filter((trip) => trip.pnl! < 0).reduce((sum, trip) => sum - trip.pnl!, 0);
  return {
    trades: closed.length,
    winRate: closed.length === 0 ? null : wins.length / closed.length,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    exposure: totalCandles === 0 ? 0 : exposedCandles / totalCandles,
    feesPaid: fills.reduce((sum, fill) => sum + fill.fee.cost, 0),
    fills: fills.length,
  };
}
