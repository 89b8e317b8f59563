import { checkPeriod } from './types.js';

/**
 * Highest (or lowest) of the last `period` values in amortised O(1) per value: a monotonic deque
 * of candidates held in fixed typed arrays, so the stream never allocates. Max and min have
 * separate loops so that each stays monomorphic for the JIT.
 */
export class RollingExtreme {
  /** Window length. */
  readonly period: number;
  readonly #max: boolean;
  readonly #values: Float64Array;
  readonly #positions: Float64Array;
  #head = 0;
  #size = 0;
  #count = 0;

  constructor(period: number, kind: 'max' | 'min') {
    checkPeriod('window period', period);
    this.period = period;
    this.#max = kind === 'max';
    this.#values = new Float64Array(period);
    this.#positions = new Float64Array(period);
  }

  /** Feeds one value and returns the extreme of the window so far. */
  update(x: number): number {
    const n = this.period;
    // Expire the front first: it leaves the window as this value enters (and frees its slot).
    if (this.#size > 0 && this.#positions[this.#head]! <= this.#count - n) {
      this.#head = this.#head + 1 === n ? 0 : this.#head + 1;
      this.#size -= 1;
    }
    // Drop candidates from the back that the new value dominates.
    this.#size = this.#max ? this.#keepAbove(x) : this.#keepBelow(x);
    let slot = this.#head + this.#size;
    if (slot >= n) slot -= n;
    this.#values[slot] = x;
    this.#positions[slot] = this.#count;
    this.#size += 1;
    this.#count += 1;
    return this.#values[this.#head]!;
  }

  #keepAbove(x: number): number {
    const values = this.#values;
    const n = this.period;
    let size = this.#size;
    while (size > 0) {
      let back = this.#head + size - 1;
      if (back >= n) back -= n;
      if (values[back]! > x) break;
      size -= 1;
    }
    return size;
  }

  #keepBelow(x: number): number {
    const values = this.#values;
    const n = this.period;
    let size = this.#size;
    while (size > 0) {
      let back = this.#head + size - 1;
      if (back >= n) back -= n;
      if (values[back]! < x) break;
      size -= 1;
    }
    return size;
  }
}
