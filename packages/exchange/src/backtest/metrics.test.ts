import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fill } from '@ia-agents/core';
import { drawdownSeries, maxDrawdown, performanceMetrics, roundTrips, tradeMetrics, type PerformanceMetrics, type RoundTrip, type TradeMetrics } from './metrics.js';

const DAY = 86_400_000;

describe('performanceMetrics', () => {
  it('computes returns, drawdown and its duration on a known curve', () => {
    const times = [0, 1, 2, 3, 4, 5].map((day) => day * DAY);
    const equity = [100, 110, 99, 88, 110, 121];
    const metrics = performanceMetrics(times, equity, DAY);
    expect(metrics.totalReturn).toBeCloseTo(0.21, 12);
    expect(metrics.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(metrics.maxDrawdownDuration).toBe(2 * DAY);
    const years = (6 * DAY) / (365.25 * DAY);
    expect(metrics.cagr).toBeCloseTo(Math.pow(1.21, 1 / years) - 1, 6);
    expect(metrics.calmar).toBeCloseTo(metrics.cagr / 0.2, 6);
    const returns = [0.1, -0.1, -1 / 9, 0.25, 0.1];
    const mean = returns.reduce((a, b) => a + b) / 5;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(metrics.annualizedVolatility).toBeCloseTo(sd * Math.sqrt(365.25), 10);
    expect(metrics.sharpe).toBeCloseTo((mean * 365.25) / (sd * Math.sqrt(365.25)), 10);
    const downside = Math.sqrt((0.01 + 1 / 81) / 5) * Math.sqrt(365.25);
    expect(metrics.sortino).toBeCloseTo((mean * 365.25) / downside, 10);
  });

  it('measures from the initial equity when given, so a loss on the first candle counts', () => {
    // Regression: buy-and-hold bought at the first open but was measured from the first close.
    const times = [0, 1, 2].map((day) => day * DAY);
    const metrics = performanceMetrics(times, [90, 99, 108], DAY, 0, 100);
    expect(metrics).toMatchObject({ initialEquity: 100, finalEquity: 108, maxDrawdown: expect.closeTo(0.1, 12), maxDrawdownDuration: 2 * DAY });
    expect(metrics.totalReturn).toBeCloseTo(0.08, 12);
    expect(metrics.cagr).toBeCloseTo(Math.pow(1.08, 365.25 / 3) - 1, 6);
    const returns = [-0.1, 0.1, 108 / 99 - 1];
    const mean = returns.reduce((a, b) => a + b) / 3;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    expect(metrics.annualizedVolatility).toBeCloseTo(sd * Math.sqrt(365.25), 10);
    expect(drawdownSeries([90, 99, 108], 100)).toEqual([-0.09999999999999998, -0.010000000000000009, 0]);
  });

  it('gives null ratios for a flat curve instead of dividing by zero', () => {
    expect(performanceMetrics([0, DAY], [5, 5], DAY)).toMatchObject({ sharpe: null, sortino: null, calmar: null, maxDrawdown: 0, totalReturn: 0 });
  });

  it('counts an unrecovered drawdown up to the end', () => {
    expect(maxDrawdown([0, 10, 20, 30], [10, 5, 6, 7])).toEqual({ fraction: 0.5, duration: 30 });
    expect(drawdownSeries([10, 5, 10, 20, 15])).toEqual([0, -0.5, 0, 0, -0.25]);
  });
});

describe('roundTrips and tradeMetrics', () => {
  const fill = (side: 'buy' | 'sell', price: number, amount: number, timestamp: number, fee = 1): Fill => ({ id: `f${timestamp}`, orderId: `o${timestamp}`, clientOrderId: `c${timestamp}`, symbol: 'BTC/USD', side, price, amount, fee: { cost: fee, currency: 'USD' }, liquidity: 'taker', timestamp });

  it('groups fills from flat to flat and scores them after fees', () => {
    const fills = [fill('buy', 100, 1, 1), fill('buy', 110, 1, 2), fill('sell', 120, 2, 3), fill('buy', 100, 1, 4), fill('sell', 90, 1, 5), fill('buy', 95, 1, 6)];
    const trips = roundTrips(fills);
    expect(trips).toEqual([
      { symbol: 'BTC/USD', openedAt: 1, closedAt: 3, amount: 2, entryPrice: 105, exitPrice: 120, pnl: 240 - 210 - 3, fees: 3 },
      { symbol: 'BTC/USD', openedAt: 4, closedAt: 5, amount: 1, entryPrice: 100, exitPrice: 90, pnl: -12, fees: 2 },
      { symbol: 'BTC/USD', openedAt: 6, closedAt: null, amount: 1, entryPrice: 95, exitPrice: null, pnl: null, fees: 1 },
    ]);
    expect(tradeMetrics(trips, fills, 3, 6)).toEqual({ trades: 2, winRate: 0.5, profitFactor: 27 / 12, exposure: 0.5, feesPaid: 6, fills: 6 });
  });
});

/**
 * The metrics as first written, over plain arrays: the reference that the walk in steps over typed
 * arrays must match bit for bit (a backtest's JSON may not change by a byte).
 */
function plainMetrics(times: readonly number[], equity: readonly number[], periodMs: number, riskFreeRate: number, initialEquity?: number): PerformanceMetrics {
  if (initialEquity === undefined || equity.length === 0) return plainCurve(times, equity, periodMs, riskFreeRate, periodMs);
  return plainCurve([times[0]!, ...times.map((time) => time + periodMs)], [initialEquity, ...equity], periodMs, riskFreeRate, 0);
}

function plainCurve(times: readonly number[], equity: readonly number[], periodMs: number, riskFreeRate: number, extraSpanMs: number): PerformanceMetrics {
  const count = equity.length;
  const initialEquity = count > 0 ? equity[0]! : 0;
  const finalEquity = count > 0 ? equity[count - 1]! : 0;
  const periodsPerYear = (365.25 * DAY) / periodMs;
  const returns = equity.slice(1).map((value, index) => (equity[index]! > 0 ? value / equity[index]! - 1 : 0));
  const average = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
  const mean = average(returns);
  const variance = returns.length < 2 ? 0 : returns.reduce((sum, value) => sum + (value - mean) * (value - mean), 0) / (returns.length - 1);
  const volatility = Math.sqrt(variance) * Math.sqrt(periodsPerYear);
  const downside = Math.sqrt(average(returns.map((value) => (value < 0 ? value * value : 0)))) * Math.sqrt(periodsPerYear);
  const years = count > 1 ? (times[count - 1]! - times[0]! + extraSpanMs) / (365.25 * DAY) : 0;
  const cagr = years > 0 && initialEquity > 0 ? Math.pow(Math.max(finalEquity, 0) / initialEquity, 1 / years) - 1 : 0;
  let peak = Number.NEGATIVE_INFINITY;
  let peakTime = 0;
  let fraction = 0;
  let duration = 0;
  equity.forEach((value, index) => {
    if (value >= peak) [peak, peakTime] = [value, times[index]!];
    else {
      if (peak > 0) fraction = Math.max(fraction, 1 - value / peak);
      duration = Math.max(duration, times[index]! - peakTime);
    }
  });
  return {
    initialEquity,
    finalEquity,
    totalReturn: initialEquity > 0 ? finalEquity / initialEquity - 1 : 0,
    cagr,
    annualizedVolatility: volatility,
    sharpe: volatility > 0 ? (mean * periodsPerYear - riskFreeRate) / volatility : null,
    sortino: downside > 0 ? (mean * periodsPerYear - riskFreeRate) / downside : null,
    calmar: fraction > 0 ? cagr / fraction : null,
    maxDrawdown: fraction,
    maxDrawdownDuration: duration,
  };
}

describe('performanceMetrics against the plain array code', () => {
  /**
   * A curve of `length` samples from a seeded generator (shrinking stays cheap: a counterexample is
   * two numbers). It crosses walk steps (4096 samples), stays flat, touches zero and recovers.
   */
  const curve = fc.record({ seed: fc.integer(), length: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 4000, max: 9000 })) }).map(({ seed, length }) => {
    let state = seed >>> 0;
    const random = () => ((state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
    let value = 100;
    return Array.from({ length }, () => {
      const draw = random();
      value = draw < 0.1 ? value : draw < 0.12 ? 0 : value === 0 ? 50 : value * (0.8 + 0.45 * random());
      return value;
    });
  });

  it('gives the same bits on any curve, from an initial equity or from the first sample', () => {
    const lengths: number[] = [];
    fc.assert(
      fc.property(curve, fc.option(fc.double({ min: 1, max: 1e6, noNaN: true }), { nil: undefined }), fc.constantFrom(60_000, 3_600_000, DAY), fc.double({ min: -0.05, max: 0.1, noNaN: true }), (equity, initial, period, riskFree) => {
        const times = equity.map((_, index) => 1_500_000_000_000 + index * period);
        const expected = plainMetrics(times, equity, period, riskFree, initial);
        expect(performanceMetrics(Float64Array.from(times), Float64Array.from(equity), period, riskFree, initial)).toStrictEqual(expected);
        expect(performanceMetrics(times, equity, period, riskFree, initial)).toStrictEqual(expected);
        const fromFirst = plainMetrics(times, equity, period, riskFree);
        expect(maxDrawdown(Float64Array.from(times), Float64Array.from(equity))).toStrictEqual({ fraction: fromFirst.maxDrawdown, duration: fromFirst.maxDrawdownDuration });
        lengths.push(equity.length);
      }),
      { numRuns: 60 },
    );
    expect(Math.max(...lengths)).toBeGreaterThan(2 * 4096);
  });
});

describe('roundTrips and tradeMetrics against the plain code', () => {
  /** Round trips and trade figures as first written (a Map of fresh state per trip, filters). */
  function plainTrips(fills: readonly Fill[]): { trips: RoundTrip[]; metrics: TradeMetrics } {
    const open = new Map<string, { trip: RoundTrip; held: number; bought: number; soldValue: number; sold: number; quoteFees: number }>();
    const trips: RoundTrip[] = [];
    for (const fill of fills) {
      let current = open.get(fill.symbol);
      if (current === undefined) {
        if (fill.side === 'sell') continue;
        current = { trip: { symbol: fill.symbol, openedAt: fill.timestamp, closedAt: null, amount: 0, entryPrice: 0, exitPrice: null, pnl: null, fees: 0 }, held: 0, bought: 0, soldValue: 0, sold: 0, quoteFees: 0 };
        open.set(fill.symbol, current);
        trips.push(current.trip);
      }
      const { trip } = current;
      // A fee in the asset bought: valued at the fill's price, and never held.
      const inBase = fill.fee.currency === fill.symbol.split('/')[0];
      trip.fees += inBase ? fill.fee.cost * fill.price : fill.fee.cost;
      if (!inBase) current.quoteFees += fill.fee.cost;
      if (fill.side === 'buy') {
        trip.entryPrice = (trip.entryPrice * current.bought + fill.price * fill.amount) / (current.bought + fill.amount);
        current.bought += fill.amount;
        current.held += inBase ? fill.amount - fill.fee.cost : fill.amount;
        trip.amount = current.bought;
      } else {
        current.soldValue += fill.price * fill.amount;
        current.sold += fill.amount;
        current.held -= fill.amount;
        if (current.held <= current.bought * 1e-9) {
          [trip.closedAt, trip.exitPrice, trip.pnl] = [fill.timestamp, current.soldValue / current.sold, current.soldValue - trip.entryPrice * current.bought - current.quoteFees];
          open.delete(fill.symbol);
        }
      }
    }
    const closed = trips.filter((trip) => trip.pnl !== null);
    const wins = closed.filter((trip) => trip.pnl! > 0);
    const grossProfit = wins.reduce((sum, trip) => sum + trip.pnl!, 0);
    const grossLoss = closed.filter((trip) => trip.pnl! < 0).reduce((sum, trip) => sum - trip.pnl!, 0);
    const feesPaid = fills.reduce((sum, fill) => sum + (fill.fee.currency === 'USD' ? fill.fee.cost : fill.fee.cost * fill.price), 0);
    return { trips, metrics: { trades: closed.length, winRate: closed.length === 0 ? null : wins.length / closed.length, profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null, exposure: 0.25, feesPaid, fills: fills.length } };
  }

  it('gives the same trips and figures for fills in several symbols, partial exits and dust', () => {
    const fillArbitrary = fc.record({ symbol: fc.constantFrom('AAA/USD', 'BBB/USD', 'CCC/USD'), side: fc.constantFrom('buy' as const, 'sell' as const), price: fc.double({ min: 1, max: 1000, noNaN: true }), amount: fc.double({ min: 0.001, max: 5, noNaN: true }), fee: fc.double({ min: 0, max: 2, noNaN: true }), feeInBase: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fillArbitrary, { maxLength: 300 }), (drawn) => {
        const held = new Map<string, number>();
        const fills = drawn.map(({ symbol, side, price, amount, fee, feeInBase }, index): Fill => {
          // Sells never exceed what is held, and sometimes sell it all (the trip closes). A buy's fee
          // may be taken from the asset bought (Binance spot): a share of it, never held.
          const has = held.get(symbol) ?? 0;
          const size = side === 'buy' ? amount : index % 3 === 0 ? has : Math.min(has, amount);
          const inBase = side === 'buy' && feeInBase;
          const cost = inBase ? size * Math.min(fee, 1) * 0.01 : fee;
          held.set(symbol, side === 'buy' ? has + size - (inBase ? cost : 0) : has - size);
          return { id: `f${index}`, orderId: `o${index}`, clientOrderId: `c${index}`, symbol, side, price, amount: size, fee: { cost, currency: inBase ? symbol.split('/')[0]! : 'USD' }, liquidity: 'taker', timestamp: index * 60_000 };
        });
        const expected = plainTrips(fills);
        const trips = roundTrips(fills);
        expect(trips).toStrictEqual(expected.trips);
        expect(tradeMetrics(trips, fills, 1, 4)).toStrictEqual(expected.metrics);
      }),
      { numRuns: 200 },
    );
  });
});
