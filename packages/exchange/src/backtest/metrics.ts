import type { Fill } from '@ia-agents/core';
import { splitSymbol } from '../paper/paper-options.js';

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
  /** What the trip left in the quote currency: sell value - buy value - fees paid in it (a fee taken
   * from the asset bought shows as less to sell) (closed trips). */
  pnl: number | null;
  /** Fees paid on the trip, quote currency (a fee in the asset bought valued at its fill's price). */
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
  // The starting cash stands at the first candle's open; every sample at its candle's close.
  const walk = initialEquity === undefined || equity.length === 0 ? new CurveWalk({ periodMs }) : new CurveWalk({ periodMs, start: { time: times[0]!, equity: initialEquity } });
  return walk.metrics(times, equity, riskFreeRate);
}

/**
 * Samples per walk step. A backtest's curve has a million samples: V8 runs one long loop entered
 * once in slower on-stack-replaced code, while a step called a few hundred times is soon fully
 * optimised.
 */
const STEP = 4096;

/**
 * Slots of a walk's running state. A Float64Array rather than fields: the values stay unboxed
 * doubles from step to step and never change an object's shape, which would throw V8's optimised
 * step away.
 */
const PREVIOUS = 0;
const SUM = 1;
const DOWNSIDE = 2;
const PEAK = 3;
const PEAK_TIME = 4;
const FRACTION = 5;
const DURATION = 6;
const SQUARES = 7;

/** Where a curve starts. */
export interface CurveStart {
  /** Candle length (annualisation). */
  periodMs: number;
  /**
   * A point before the samples: the cash at the first candle's open. The samples are then
   * `(times[i] + periodMs, equity[i])`, each at its candle's close. Without it the samples are
   * `(times[i], equity[i])` and the curve spans one more period.
   */
  start?: { time: number; equity: number };
}

/**
 * The metrics of an equity curve, walked in steps: `walk` takes the samples as far as they are
 * final (a backtest walks them while it runs, when they are still in cache and the step code is
 * hot), `metrics` walks the rest, then walks them all again for the variance (it needs the mean).
 * The sums add in the order that summing an array of the returns would, so the figures are bit
 * for bit those of the plain array code.
 */
export class CurveWalk {
  readonly #state = new Float64Array(8);
  readonly #periodMs: number;
  readonly #start: { time: number; equity: number } | undefined;
  /** Samples walked. */
  #walked = 0;

  constructor({ periodMs, start }: CurveStart) {
    this.#periodMs = periodMs;
    this.#start = start;
    const state = this.#state;
    state[PEAK] = Number.NEGATIVE_INFINITY;
    if (start === undefined) return;
    state[PREVIOUS] = start.equity;
    // The start point opens the drawdown walk, while the peak is still -Infinity.
    if (start.equity >= state[PEAK]!) {
      state[PEAK] = start.equity;
      state[PEAK_TIME] = start.time;
    } else state[DURATION] = Math.max(state[DURATION]!, start.time - state[PEAK_TIME]!);
  }

  /** Walks the samples from the last one walked up to `to` (exclusive); they may not change afterwards. */
  walk(times: ArrayLike<number>, equity: ArrayLike<number>, to: number): void {
    // Without a start point, sample 0 is only the base of the first return.
    if (this.#walked === 0 && this.#start === undefined && to > 0) this.#state[PREVIOUS] = equity[0]!;
    const first = this.#start === undefined ? 1 : 0;
    const shift = this.#start === undefined ? 0 : this.#periodMs;
    for (let from = this.#walked; from < to; from += STEP) returnsAndDrawdown(times, equity, shift, this.#state, first, from, Math.min(to, from + STEP));
    this.#walked = Math.max(this.#walked, to);
  }

  /** The metrics of the curve `times`/`equity`, whose samples up to the last walked are those walked. */
  metrics(times: ArrayLike<number>, equity: ArrayLike<number>, riskFreeRate: number): PerformanceMetrics {
    this.walk(times, equity, equity.length);
    const start = this.#start;
    const periodMs = this.#periodMs;
    const state = this.#state;
    const count = equity.length + (start === undefined ? 0 : 1);
    const initialEquity = start !== undefined ? start.equity : count > 0 ? equity[0]! : 0;
    const finalEquity = count > 0 ? equity[equity.length - 1]! : 0;
    const periodsPerYear = YEAR_MS / periodMs;
    const returns = count - 1;
    const mean = returns > 0 ? state[SUM]! / returns : 0;
    const variance = returns < 2 ? 0 : this.#squaredDeviations(equity, mean) / (returns - 1);
    const volatility = Math.sqrt(variance) * Math.sqrt(periodsPerYear);
    const downside = Math.sqrt(returns > 0 ? state[DOWNSIDE]! / returns : 0) * Math.sqrt(periodsPerYear);
    const annualMean = mean * periodsPerYear;
    const firstTime = start !== undefined ? start.time : times[0]!;
    const lastTime = times[times.length - 1]! + (start === undefined ? 0 : periodMs);
    const years = count > 1 ? (lastTime - firstTime + (start === undefined ? periodMs : 0)) / YEAR_MS : 0;
    const totalReturn = initialEquity > 0 ? finalEquity / initialEquity - 1 : 0;
    const cagr = years > 0 && initialEquity > 0 ? Math.pow(Math.max(finalEquity, 0) / initialEquity, 1 / years) - 1 : 0;
    const { fraction, duration } = this.drawdown;
    return {
      initialEquity,
      finalEquity,
      totalReturn,
      cagr,
      annualizedVolatility: volatility,
      sharpe: volatility > 0 ? (annualMean - riskFreeRate) / volatility : null,
      sortino: downside > 0 ? (annualMean - riskFreeRate) / downside : null,
      calmar: fraction > 0 ? cagr / fraction : null,
      maxDrawdown: fraction,
      maxDrawdownDuration: duration,
    };
  }

  /** Largest fall from a peak (a fraction of it) and the longest time under a peak, over the samples walked. */
  get drawdown(): { fraction: number; duration: number } {
    return { fraction: this.#state[FRACTION]!, duration: this.#state[DURATION]! };
  }

  /** Sum of the squared deviations of the returns from `mean`, walking all the samples again. */
  #squaredDeviations(equity: ArrayLike<number>, mean: number): number {
    const state = this.#state;
    state[PREVIOUS] = this.#start === undefined ? equity[0]! : this.#start.equity;
    state[SQUARES] = 0;
    for (let from = this.#start === undefined ? 1 : 0; from < equity.length; from += STEP) squaredDeviations(equity, state, mean, from, Math.min(equity.length, from + STEP));
    return state[SQUARES]!;
  }
}

/** Adds the returns (of samples from `first` on) and the drawdown of samples `from` to `to` (exclusive). */
function returnsAndDrawdown(times: ArrayLike<number>, equity: ArrayLike<number>, shift: number, state: Float64Array, first: number, from: number, to: number): void {
  let previous = state[PREVIOUS]!;
  let sum = state[SUM]!;
  let downside = state[DOWNSIDE]!;
  let peak = state[PEAK]!;
  let peakTime = state[PEAK_TIME]!;
  let fraction = state[FRACTION]!;
  let duration = state[DURATION]!;
  for (let index = from; index < to; index++) {
    const value = equity[index]!;
    if (index >= first) {
      const change = previous > 0 ? value / previous - 1 : 0;
      sum += change;
      // change if negative, else 0 (both exact) without a branch: half the returns of a market are
      // negative, and a mispredicted branch per sample made this loop six times slower.
      const negative = (change - Math.abs(change)) * 0.5;
      downside += negative === negative ? negative * negative : 0;
      previous = value;
    }
    const time = times[index]! + shift;
    if (value >= peak) {
      peak = value;
      peakTime = time;
      continue;
    }
    if (peak > 0) fraction = Math.max(fraction, 1 - value / peak);
    duration = Math.max(duration, time - peakTime);
  }
  state[PREVIOUS] = previous;
  state[SUM] = sum;
  state[DOWNSIDE] = downside;
  state[PEAK] = peak;
  state[PEAK_TIME] = peakTime;
  state[FRACTION] = fraction;
  state[DURATION] = duration;
}

/** Adds the squared deviations from `mean` of the returns of samples `from` to `to` (exclusive). */
function squaredDeviations(equity: ArrayLike<number>, state: Float64Array, mean: number, from: number, to: number): void {
  let previous = state[PREVIOUS]!;
  let squares = state[SQUARES]!;
  for (let index = from; index < to; index++) {
    const value = equity[index]!;
    const change = previous > 0 ? value / previous - 1 : 0;
    squares += (change - mean) * (change - mean);
    previous = value;
  }
  state[PREVIOUS] = previous;
  state[SQUARES] = squares;
}

/** Largest peak-to-trough fall and the longest time below a peak (to recovery, or to the end). */
export function maxDrawdown(times: ArrayLike<number>, equity: ArrayLike<number>): { fraction: number; duration: number } {
  const walk = new CurveWalk({ periodMs: 1 });
  walk.walk(times, equity, equity.length);
  return walk.drawdown;
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

/** A symbol's trip in progress (one object per symbol, reused from trip to trip). */
interface OpenTrip {
  trip: RoundTrip | undefined;
  held: number;
  bought: number;
  soldValue: number;
  sold: number;
  /** Fees paid in the quote currency (the others came out of the holding). */
  quoteFees: number;
  /** The asset bought (a fee in it is taken from what was bought). */
  base: string;
}

/** A fill's fee in its symbol's quote currency: a fee in the asset traded (`base`) is valued at the fill's price. */
export function feeInQuote(fill: Fill, base = splitSymbol(fill.symbol).base): number {
  return fill.fee.currency === base ? fill.fee.cost * fill.price : fill.fee.cost;
}

/** Groups fills into round trips per symbol: a trip opens on the first buy while flat and closes when flat again. */
export function roundTrips(fills: readonly Fill[]): RoundTrip[] {
  const bySymbol = new Map<string, OpenTrip>();
  const trips: RoundTrip[] = [];
  for (let index = 0; index < fills.length; index++) {
    const fill = fills[index]!;
    let current = bySymbol.get(fill.symbol);
    if (current === undefined) bySymbol.set(fill.symbol, (current = { trip: undefined, held: 0, bought: 0, soldValue: 0, sold: 0, quoteFees: 0, base: splitSymbol(fill.symbol).base }));
    let { trip } = current;
    if (trip === undefined) {
      if (fill.side === 'sell') continue;
      trip = { symbol: fill.symbol, openedAt: fill.timestamp, closedAt: null, amount: 0, entryPrice: 0, exitPrice: null, pnl: null, fees: 0 };
      current.trip = trip;
      current.held = current.bought = current.soldValue = current.sold = current.quoteFees = 0;
      trips.push(trip);
    }
    // A fee in the asset bought (Binance spot buys) leaves less of it held; it is valued at the fill's price.
    const inBase = fill.fee.currency === current.base;
    trip.fees += feeInQuote(fill, current.base);
    if (!inBase) current.quoteFees += fill.fee.cost;
    if (fill.side === 'buy') {
      trip.entryPrice = (trip.entryPrice * current.bought + fill.price * fill.amount) / (current.bought + fill.amount);
      current.bought += fill.amount;
      current.held += inBase ? fill.amount - fill.fee.cost : fill.amount;
      trip.amount = current.bought;
      continue;
    }
    current.soldValue += fill.price * fill.amount;
    current.sold += fill.amount;
    current.held -= fill.amount;
    if (current.held <= current.bought * 1e-9) {
      trip.closedAt = fill.timestamp;
      trip.exitPrice = current.soldValue / current.sold;
      trip.pnl = current.soldValue - trip.entryPrice * current.bought - current.quoteFees;
      current.trip = undefined;
    }
  }
  return trips;
}

/** Win rate, profit factor, exposure and fees of a run (one pass over the trips and one over the fills). */
export function tradeMetrics(trips: readonly RoundTrip[], fills: readonly Fill[], exposedCandles: number, totalCandles: number): TradeMetrics {
  let closed = 0;
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  for (let index = 0; index < trips.length; index++) {
    const { pnl } = trips[index]!;
    if (pnl === null) continue;
    closed += 1;
    if (pnl > 0) {
      wins += 1;
      grossProfit += pnl;
    } else if (pnl < 0) grossLoss -= pnl;
  }
  let feesPaid = 0;
  // The base asset of the latest symbol seen (a backtest's fills are mostly of one symbol).
  let symbol = '';
  let base = '';
  for (let index = 0; index < fills.length; index++) {
    const fill = fills[index]!;
    if (fill.symbol !== symbol) ({ base } = splitSymbol((symbol = fill.symbol)));
    feesPaid += feeInQuote(fill, base);
  }
  return {
    trades: closed,
    winRate: closed === 0 ? null : wins / closed,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    exposure: totalCandles === 0 ? 0 : exposedCandles / totalCandles,
    feesPaid,
    fills: fills.length,
  };
}
