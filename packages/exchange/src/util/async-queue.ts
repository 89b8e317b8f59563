/**
 * A queue that several producers push into and one consumer iterates: the feeds merge their
 * per-symbol loops through it. `fail` ends the iteration with an error, `end` ends it cleanly.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #rejecting: ((error: unknown) => void) | undefined;
  #ended = false;
  #error: unknown;

  push(item: T): void {
    if (this.#ended) return;
    if (this.#waiting !== undefined) return this.#settle()?.({ value: item, done: false });
    this.#items.push(item);
  }

  end(): void {
    this.#ended = true;
    this.#settle()?.({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    const reject = this.#rejecting;
    this.#settle();
    reject?.(error);
  }

  #settle(): ((result: IteratorResult<T>) => void) | undefined {
    const resolve = this.#waiting;
    this.#waiting = undefined;
    this.#rejecting = undefined;
    return resolve;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift()!, done: false });
        if (this.#error !== undefined) return Promise.reject(this.#error);
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.#waiting = resolve;
          this.#rejecting = reject;
        });
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
