import type { Candle, Fill } from '@ia-agents/core';
import type { ReplayFeed } from '../feeds/replay-feed.js';
import type { PaperExchange } from '../paper/paper-exchange.js';

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

/** Indices that keep at most `points` samples, always the first and the last. */
function sampleIndices(length: number, points: number): number[] {
  if (length <= points) return Array.from({ length }, (_, index) => index);
  const stride = Math.ceil(length / points);
  const indices: number[] = [];
  for (let index = 0; index < length; index += stride) indices.push(index);
  if (indices.at(-1) !== length - 1) indices.push(length - 1);
  return indices;
}

/**
 * Samples equity and buy-and-hold once per candle time (several symbols at one time make one
 * sample) without building a portfolio object: it reads `PaperExchange.equity`.
 */
export class EquityRecorder {
  readonly #times: number[] = [];
  readonly #equity: number[] = [];
  readonly #buyAndHold: number[] = [];
  readonly #units = new Map<string, number>();
  readonly #lastClose = new Map<string, number>();
  readonly #share: number;
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
   */
  constructor(
    private readonly exchange: PaperExchange,
    private readonly feed: ReplayFeed,
    initialCash: number,
    feeRate: number,
  ) {
    this.#share = initialCash / feed.symbols.length;
    for (const [symbol, series] of feed.series) {
      const first = series.candles[0];
      if (first !== undefined) this.#units.set(symbol, (this.#share * (1 - feeRate)) / first.open);
    }
    this.buyAndHoldFills = this.#units.size;
    this.buyAndHoldFees = this.#share * feeRate * this.#units.size;
  }

  /** Records the state after the engine processed `candle` of `symbol`. */
  record(symbol: string, candle: Candle): void {
    this.#lastClose.set(symbol, candle.close);
    const time = candle.timestamp;
    let holdValue = 0;
    for (const [name, units] of this.#units) {
      const close = this.#lastClose.get(name);
      holdValue += close === undefined ? this.#share : units * close;
    }
    const last = this.#times.length - 1;
    if (last >= 0 && this.#times[last] === time) {
      this.#equity[last] = this.exchange.equity;
      this.#buyAndHold[last] = holdValue;
    } else {
      this.#times.push(time);
      this.#equity.push(this.exchange.equity);
      this.#buyAndHold.push(holdValue);
    }
    if (this.#exposedAt !== time && this.exchange.holding(symbol) > 0) {
      this.#exposedAt = time;
      this.exposedSamples += 1;
    }
  }

  /** The full curves. */
  curve(): { times: readonly number[]; equity: readonly number[]; buyAndHold: readonly number[] } {
    return { times: this.#times, equity: this.#equity, buyAndHold: this.#buyAndHold };
  }

  /** Chart series with at most `points` samples each. */
  chartSeries(points: number, fills: readonly Fill[]): EquitySeries {
    const keep = sampleIndices(this.#times.length, points);
    const prices: EquitySeries['prices'] = {};
    for (const [symbol, series] of this.feed.series) {
      const indices = sampleIndices(series.candles.length, points);
      prices[symbol] = { time: indices.map((index) => series.candles[index]!.timestamp), close: indices.map((index) => series.candles[index]!.close) };
    }
    const markerIndices = sampleIndices(fills.length, points);
    return {
      time: keep.map((index) => this.#times[index]!),
      equity: keep.map((index) => this.#equity[index]!),
      buyAndHold: keep.map((index) => this.#buyAndHold[index]!),
      prices,
      markers: markerIndices.map((index) => {
        const fill = fills[index]!;
        return { symbol: fill.symbol, time: fill.timestamp, price: fill.price, side: fill.side };
      }),
    };
  }
}
