import type { MarketEvent } from '@ia-agents/core';
import { AsyncQueue } from '../util/async-queue.js';

/** Sleeps `milliseconds`, or less when `signal` aborts. */
export type Sleep = (milliseconds: number, signal?: AbortSignal) => Promise<void>;

/** The default sleep: a timer that an abort cuts short. */
export const abortableSleep: Sleep = (milliseconds, signal) =>
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

/** Runs one loop per symbol, all feeding one stream of events, until all end, one fails, the consumer stops, or `signal` aborts. */
export async function* mergeSymbolLoops(symbols: readonly string[], run: (symbol: string, emit: (events: MarketEvent[]) => void, signal: AbortSignal) => Promise<void>, signal?: AbortSignal): AsyncGenerator<MarketEvent> {
  const controller = new AbortController();
  const queue = new AsyncQueue<MarketEvent>();
  const stop = () => {
    controller.abort();
    queue.end();
  };
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted === true) stop();
  const emit = (events: MarketEvent[]) => {
    for (const event of events) queue.push(event);
  };
  Promise.all(symbols.map((symbol) => run(symbol, emit, controller.signal))).then(
    () => queue.end(),
    (error: unknown) => (controller.signal.aborted ? queue.end() : queue.fail(error)),
  );
  try {
    yield* queue;
  } finally {
    controller.abort();
    signal?.removeEventListener('abort', stop);
  }
}
