/** Sleeps `milliseconds`, or less when `signal` aborts. */
export type Sleep = (milliseconds: number, signal?: AbortSignal) => Promise<void>;

/**
 * A timer that an abort cuts short (it resolves, never rejects): for loops that wait between
 * attempts and must stop at once when their owner stops.
 * @example await sleep(5_000, controller.signal);
 */
export const sleep: Sleep = (milliseconds, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
