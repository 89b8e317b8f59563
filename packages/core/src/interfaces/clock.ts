/** Source of time. Everything that reads the time takes one, so tests and backtests control it. */
export interface Clock {
  /** Current time, UTC milliseconds. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: the backtester's and the tests' clock. */
export class SimulatedClock implements Clock {
  // A one-element Float64Array rather than a number field: a backtest sets the time once a candle,
  // and a millisecond timestamp stored in a plain field can cost a heap-allocated number each time.
  readonly #now = new Float64Array(1);

  constructor(start = 0) {
    this.#now[0] = start;
  }

  now(): number {
    return this.#now[0]!;
  }

  /** Moves to `time`; time never goes backwards. */
  set(time: number): void {
    if (time < this.#now[0]!) throw new RangeError(`SimulatedClock cannot go back from ${this.#now[0]} to ${time}`);
    this.#now[0] = time;
  }

  /** Moves forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.set(this.#now[0]! + milliseconds);
  }
}
