/**
 * The last `capacity` items pushed, oldest first: a push overwrites the oldest once full, so a
 * backtest pushing a million candles allocates nothing per push (an array trimmed with `splice`
 * allocated the removed part and then grew back).
 *
 * (mnemonist's CircularBuffer does the same, but its package exports the subpath to `require` only
 * and its ESM entry loads the whole library, about 100 ms at start-up.)
 * @example
 * const last3 = new RingBuffer<number>(3);
 * for (const value of [1, 2, 3, 4]) last3.push(value);
 * last3.toArray(); // [2, 3, 4]
 */
export class RingBuffer<T> {
  readonly capacity: number;
  #items: T[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#items = [];
  }

  /** How many items it holds (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    const capacity = this.capacity;
    if (this.#size < capacity) {
      // Filling up: a packed array grown by push (no holes), until it holds `capacity` items.
      this.#items.push(item);
      this.#size += 1;
      return;
    }
    this.#items[this.#start] = item;
    this.#start = this.#start + 1 === capacity ? 0 : this.#start + 1;
  }

  /** The newest item, if any. */
  last(): T | undefined {
    if (this.#size === 0) return undefined;
    const index = this.#start + this.#size - 1;
    return this.#items[index >= this.capacity ? index - this.capacity : index];
  }

  /** The items, oldest first, as a new array. */
  toArray(): T[] {
    const items = this.#items;
    const start = this.#start;
    if (start === 0) return items.slice(0, this.#size);
    // Full and wrapped: the part from `start`, then the part before it, into one array of the right size.
    const result = new Array<T>(this.#size);
    const head = this.capacity - start;
    for (let index = 0; index < head; index += 1) result[index] = items[start + index]!;
    for (let index = 0; index < start; index += 1) result[head + index] = items[index]!;
    return result;
  }

  /** Empties it. */
  clear(): void {
    this.#items = [];
    this.#start = 0;
    this.#size = 0;
  }
}
