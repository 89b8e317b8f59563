import { timeframeToMs, type Candle, type Fill } from '@ia-agents/core';
import type { ReplayFeed } from '../feeds/replay-feed.js';
import type { PaperExchange } from '../paper/paper-exchange.js';
import { CurveWalk, type PerformanceMetrics } from './metrics.js';
import { grown } from '../util/typed-columns.js';

/** Down-sampled series of a run, for charts. */
export interface EquitySeries {
  /** Sample times, UTC ms (candle open times). */
  time: number[];
  /** Strategy equity at each time. */
  equity: number[];
  /** Buy-and-hold equity at each time. */
  buyAndHold: number[];
  /** Close prices by symbol. */
  prices: Record<string, { time: number[]; close: number[] }>;
  /** Fills to mark on the price charts (at most `maxPoints`). */
  markers: { symbol: string; time: number; price: number; side: 'buy' | 'sell' }[];
}

/** The full curves of a run, one sample per candle time. */
export interface EquityCurve {
  /** Sample times, UTC ms (candle open times). */
  times: Float64Array;
  /** Strategy equity at each time. */
  equity: Float64Array;
  /** Buy-and-hold equity at each time. */
  buyAndHold: Float64Array;
}

/** Indices that keep at most `points` samples, always the first and the last. */
function sampleIndices(length: number, points: number): number[] {
  if (length <= points) return Array.from({ length }, (_, index) => index);
  const stride = Math.ceil(length / points);
  const indices: number[] = [];
  for (let index = 0; index < length; index += stride) indices.push(index);
  if (indices.at(-1) !== length - 1) indices.push(length - 1);
  return indices;
}

/** Values of `column` at `indices`, as a plain array (JSON). */
function pick(column: ArrayLike<number>, indices: readonly number[]): number[] {
  return indices.map((index) => column[index]!);
}

/** A copy of `column` with room for `capacity` values. */
/** Samples a curve walk takes at once while the run goes on. */
const WALK_EVERY = 4096;

/**
 * Samples equity and buy-and-hold once per candle time (several symbols at one time make one
 * sample) without building a portfolio object: it reads `PaperExchange.equity`. It runs after
 * every candle of a backtest, so it keeps its samples in typed arrays sized for the whole run and
 * each symbol's buy-and-hold value in a numbered slot: no allocation and no map lookup per candle.
 * Every `WALK_EVERY` samples it walks the finished ones into both curves' metrics, while they are
 * in cache; the run's end leaves little to walk.
 */
export class EquityRecorder {
  #times: Float64Array;
  #equity: Float64Array;
  #buyAndHold: Float64Array;
  #length = 0;
  readonly #periodMs: number;
  readonly #initialCash: number;
  /** Metrics of both curves, from the first sample on. */
  #walks: { strategy: CurveWalk; buyAndHold: CurveWalk } | undefined;
  /** Samples walked into `#walks`. */
  #walked = 0;
  /** Slot of each symbol with candles, in feed order (the order buy-and-hold sums them in). */
  readonly #slots = new Map<string, number>();
  /** Units buy-and-hold bought of the symbol in each slot. */
  readonly #units: Float64Array;
  /** Buy-and-hold value of each slot: its cash share until its first candle, then units x close. */
  readonly #values: Float64Array;
  #lastSymbol = '';
  #lastSlot = -1;
  #exposedAt = -1;
  /** Samples at which some position was open. */
  exposedSamples = 0;
  /** Fees buy-and-hold paid: the taker fee on each symbol's purchase. */
  readonly buyAndHoldFees: number;
  /** Purchases buy-and-hold made: one per symbol with candles. */
  readonly buyAndHoldFills: number;

  /**
   * Buy-and-hold puts an equal share of the cash into each symbol at its first open, paying
   * `feeRate` like a taker order of the strategy would, so the two columns are comparable.
   * `capacity` is the expected number of samples (the candles of the run); more still fit.
   */
  constructor(
    private readonly exchange: PaperExchange,
    private readonly feed: ReplayFeed,
    initialCash: number,
    feeRate: number,
    capacity = 1024,
  ) {
    this.#periodMs = timeframeToMs(feed.timeframe);
    this.#initialCash = initialCash;
    const share = initialCash / feed.symbols.length;
    const units: number[] = [];
    for (const [symbol, series] of feed.series) {
      const first = series.candles[0];
      if (first === undefined) continue;
      this.#slots.set(symbol, units.length);
      units.push((share * (1 - feeRate)) / first.open);
    }
    this.#units = Float64Array.from(units);
    this.#values = new Float64Array(units.length).fill(share);
    const size = Math.max(1, capacity);
    this.#times = new Float64Array(size);
    this.#equity = new Float64Array(size);
    this.#buyAndHold = new Float64Array(size);
    this.buyAndHoldFills = units.length;
    this.buyAndHoldFees = share * feeRate * units.length;
  }

  /** Records the state after the engine processed `candle` of `symbol`. */
  record(symbol: string, candle: Candle): void {
    const slot = symbol === this.#lastSymbol ? this.#lastSlot : this.#slotOf(symbol);
    const values = this.#values;
    if (slot >= 0) values[slot] = this.#units[slot]! * candle.close;
    // Summed in feed order from 0, every time: the same additions as ever, so the same bits.
    let holdValue = 0;
    for (let index = 0; index < values.length; index++) holdValue += values[index]!;
    const time = candle.timestamp;
    let last = this.#length - 1;
    if (last < 0 || this.#times[last] !== time) last = this.#append(time);
    this.#equity[last] = this.exchange.equity;
    this.#buyAndHold[last] = holdValue;
    if (this.#exposedAt !== time && this.exchange.holding(symbol) > 0) {
      this.#exposedAt = time;
      this.exposedSamples += 1;
    }
  }

  #slotOf(symbol: string): number {
    this.#lastSymbol = symbol;
    this.#lastSlot = this.#slots.get(symbol) ?? -1;
    return this.#lastSlot;
  }

  /** Starts a sample at `time` and returns its index, doubling the columns when full. */
  #append(time: number): number {
    const index = this.#length;
    // The samples before this one are final.
    if (index - this.#walked >= WALK_EVERY) this.#walk(index);
    if (index === this.#times.length) {
      this.#times = grown(this.#times, index * 2);
      this.#equity = grown(this.#equity, index * 2);
      this.#buyAndHold = grown(this.#buyAndHold, index * 2);
    }
    this.#times[index] = time;
    this.#length = index + 1;
    return index;
  }

  /** Walks the samples before `to` into both curves' metrics. */
  #walk(to: number): void {
    const times = this.#times;
    // The starting cash stands at the first candle's open; every sample at its candle's close.
    const start = { periodMs: this.#periodMs, start: { time: times[0]!, equity: this.#initialCash } };
    const walks = (this.#walks ??= { strategy: new CurveWalk(start), buyAndHold: new CurveWalk(start) });
    walks.strategy.walk(times, this.#equity, to);
    walks.buyAndHold.walk(times, this.#buyAndHold, to);
    this.#walked = to;
  }

  /**
   * The metrics of both curves, measured from the initial cash: those of `performanceMetrics`
   * with `initialEquity`. Call it when the run is over (the last sample is then final).
   */
  metrics(riskFreeRate: number): { strategy: PerformanceMetrics; buyAndHold: PerformanceMetrics } {
    const { times, equity, buyAndHold } = this.curve();
    if (times.length === 0) {
      const empty = new CurveWalk({ periodMs: this.#periodMs }).metrics(times, equity, riskFreeRate);
      return { strategy: empty, buyAndHold: empty };
    }
    this.#walk(times.length);
    const walks = this.#walks!;
    return { strategy: walks.strategy.metrics(times, equity, riskFreeRate), buyAndHold: walks.buyAndHold.metrics(times, buyAndHold, riskFreeRate) };
  }

  /** The full curves (views of the recorded samples, not copies). */
  curve(): EquityCurve {
    const length = this.#length;
    return { times: this.#times.subarray(0, length), equity: this.#equity.subarray(0, length), buyAndHold: this.#buyAndHold.subarray(0, length) };
  }

  /** Chart series with at most `points` samples each. */
  chartSeries(points: number, fills: readonly Fill[]): EquitySeries {
    const { times, equity, buyAndHold } = this.curve();
    const keep = sampleIndices(times.length, points);
    const prices: EquitySeries['prices'] = {};
    for (const [symbol, series] of this.feed.series) {
      const indices = sampleIndices(series.candles.length, points);
      prices[symbol] = { time: indices.map((index) => series.candles[index]!.timestamp), close: indices.map((index) => series.candles[index]!.close) };
    }
    const markerIndices = sampleIndices(fills.length, points);
    return {
      time: pick(times, keep),
      equity: pick(equity, keep),
      buyAndHold: pick(buyAndHold, keep),
      prices,
      markers: markerIndices.map((index) => {
        const fill = fills[index]!;
        return { symbol: fill.symbol, time: fill.timestamp, price: fill.price, side: fill.side };
      }),
    };
  }
}
