/**
 * Code that awaits only when it must. A step function is a generator that yields whatever it
 * would `await`; `runSteps` hands plain values straight back and suspends only on a promise. When
 * nothing along the way is asynchronous (rule-based assistants, a simulated exchange, no store),
 * the whole decision runs synchronously: no microtask, no promise, no timer. This is what lets a
 * backtest make tens of thousands of decisions a second through the same code path as live
 * trading.
 *
 * @example
 * function* placeAndRecord(exchange: Exchange, request: OrderRequest): Steps<Order> {
 *   const order = (yield exchange.createOrder(request)) as Order;
 *   yield store?.saveOrder(order);
 *   return order;
 * }
 * const order = await runSteps(placeAndRecord(exchange, request));
 */
export type Steps<T> = Generator<unknown, T, unknown>;

/** True for anything with a callable `then` (what `await` would wait for). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs a step generator: synchronously while it yields plain values, asynchronously from the first
 * promise it yields on. Returns the result, or a promise of it once anything was awaited. A
 * synchronous throw from the generator is thrown here; after the first promise it rejects.
 */
export function runSteps<T>(steps: Steps<T>): T | Promise<T> {
  let step = steps.next();
  while (step.done !== true) {
    const value = step.value;
    if (isPromiseLike(value)) return continueAsync(steps, value);
    step = steps.next(value);
  }
  return step.value;
}

async function continueAsync<T>(steps: Steps<T>, pending: PromiseLike<unknown>): Promise<T> {
  let step: IteratorResult<unknown, T>;
  try {
    step = steps.next(await pending);
  } catch (error) {
    step = steps.throw(error);
  }
  while (step.done !== true) {
    const value = step.value;
    if (!isPromiseLike(value)) {
      step = steps.next(value);
      continue;
    }
    try {
      step = steps.next(await value);
    } catch (error) {
      step = steps.throw(error);
    }
  }
  return step.value;
}

/** Waits for a value that may be a promise, typed: `const order = yield* wait(exchange.createOrder(request))`. */
export function* wait<T>(value: T | PromiseLike<T>): Steps<T> {
  return (yield value) as T;
}
