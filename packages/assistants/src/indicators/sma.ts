import { checkPeriod } from './types.js';

/** Updates between exact re-summations of the window, which stop floating-point drift in long streams. */
const RESYNC_EVERY = 4096;

/**
 * Simple moving average, streaming: O(1) per value (a running sum over a ring buffer, re-summed
 * exactly every 4096 updates so that a million-candle stream does not drift).
 * @example
 * const sma = new SmaStream(20);
 * for (const candle of candles) sma.update(candle.close); // NaN until 20 values were seen
 */
export class SmaStream {
  /** Window length. */
  readonly period: number;
  /** Latest value (NaN during warm-up). */
  value = Number.NaN;
  readonly #window: Float64Array;
  #sum = 0;
  #count = 0;
  #slot = 0;
  #untilResync = RESYNC_EVERY;

  constructor(period: number) {
    checkPeriod('SMA period', period);
    this.period = period;
    this.#window = new Float64Array(period);
  }

  /** Feeds one value; returns the average of the last `period` values, NaN until there are that many. */
  update(x: number): number {
    const slot = this.#slot;
    this.#sum += x - this.#window[slot]!;
    this.#window[slot] = x;
    this.#slot = slot + 1 === this.period ? 0 : slot + 1;
    this.#count += 1;
    if (--this.#untilResync === 0) {
      this.#untilResync = RESYNC_EVERY;
      this.#sum = sumOf(this.#window);
    }
    if (this.#count < this.period) return Number.NaN;
    this.value = this.#sum / this.period;
    return this.value;
  }

  /** Number of values fed so far. */
  get count(): number {
    return this.#count;
  }
}

function sumOf(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}

/**
 * Simple moving average of a whole series. Entry i is NaN for i < period - 1.
 * @example
 * const averages = sma(closes, 20);
 */
export function sma(values: ArrayLike<number>, period: number): Float64Array {
  checkPeriod('SMA period', period);
  // SmaStream's arithmetic (ring window, periodic resync), inlined: a method call per value cost the batch 4x a plain loop.
  const window = new Float64Array(period);
  const input = values instanceof Float64Array ? values : Float64Array.from(values);
  const out = new Float64Array(input.length);
  let sum = 0;
  let slot = 0;
  let untilResync = RESYNC_EVERY;
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    sum += x - window[slot]!;
    window[slot] = x;
    slot = slot + 1 === period ? 0 : slot + 1;
    if (--untilResync === 0) {
      untilResync = RESYNC_EVERY;
      sum = sumOf(window);
    }
    out[i] = i + 1 < period ? Number.NaN : sum / period;
  }
  return out;
}
