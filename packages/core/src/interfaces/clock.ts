/** Source of time. Everything that reads the time takes one, so tests and backtests control it. */
export interface Clock {
  /** Current time, UTC milliseconds. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: the backtester's and the tests' clock. */
export class SimulatedClock implements Clock {
  #now: number;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves to `time`; time never goes backwards. */
  set(time: number): void {
    if (time < this.#now) throw new RangeError(`SimulatedClock cannot go back from ${this.#now} to ${time}`);
    this.#now = time;
  }

  /** Moves forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.set(this.#now + milliseconds);
  }
}
