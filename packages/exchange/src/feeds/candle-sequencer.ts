import { timeframeToMs, type Candle, type MarketEvent, type Timeframe } from '@ia-agents/core';

/**
 * Keeps one symbol's closed candles in order: drops what was already passed on (duplicates,
 * replays after a reconnect), and turns a jump past the next expected candle into a `gap` event
 * instead of hiding it. Live feeds and the data pipeline share it.
 */
export class CandleSequencer {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly #length: number;
  readonly #liveFrom: number;
  #last: number | undefined;

  /**
   * `liveFrom`: when the feed started (UTC ms). Candles that had closed by then are history and go
   * out in batches marked `warmup`, which the engine learns from without acting on.
   */
  constructor(symbol: string, timeframe: Timeframe, last?: number, liveFrom = Number.NEGATIVE_INFINITY) {
    this.symbol = symbol;
    this.timeframe = timeframe;
    this.#length = timeframeToMs(timeframe);
    this.#last = last;
    this.#liveFrom = liveFrom;
  }

  /** Open time of the last candle passed on. */
  get last(): number | undefined {
    return this.#last;
  }

  /** Open time of the next candle expected, when any was passed on. */
  get next(): number | undefined {
    return this.#last === undefined ? undefined : this.#last + this.#length;
  }

  /**
   * Events for `candles` (closed, any order, possibly repeated): gaps and batches of new candles.
   * `warmup`: the candles are history whatever their time (they came in a warm-up batch).
   */
  accept(candles: readonly Candle[], warmup = false): MarketEvent[] {
    const fresh = [...new Map(candles.filter((candle) => this.#last === undefined || candle.timestamp > this.#last).map((candle) => [candle.timestamp, candle])).values()].sort((a, b) => a.timestamp - b.timestamp);
    const events: MarketEvent[] = [];
    let batch: Candle[] = [];
    let inWarmup = false;
    for (const candle of fresh) {
      const expected = this.next;
      const history = warmup || candle.timestamp + this.#length <= this.#liveFrom;
      if ((expected !== undefined && candle.timestamp > expected) || history !== inWarmup) {
        if (batch.length > 0) events.push(this.#batch(batch, inWarmup));
        batch = [];
        inWarmup = history;
      }
      if (expected !== undefined && candle.timestamp > expected) {
        events.push({ type: 'gap', symbol: this.symbol, timeframe: this.timeframe, from: expected, to: candle.timestamp, missing: Math.round((candle.timestamp - expected) / this.#length) });
      }
      batch.push(candle);
      this.#last = candle.timestamp;
    }
    if (batch.length > 0) events.push(this.#batch(batch, inWarmup));
    return events;
  }

  #batch(candles: Candle[], warmup: boolean): MarketEvent {
    return warmup ? { type: 'candles', symbol: this.symbol, timeframe: this.timeframe, candles, warmup } : { type: 'candles', symbol: this.symbol, timeframe: this.timeframe, candles };
  }
}

/** Whether a candle opening at `timestamp` has closed at `now`. */
export function isClosed(timestamp: number, timeframe: Timeframe, now: number): boolean {
  return timestamp + timeframeToMs(timeframe) <= now;
}
