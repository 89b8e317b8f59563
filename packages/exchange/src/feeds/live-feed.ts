import type { MarketEvent } from '@ia-agents/core';
import { AsyncQueue } from '../util/async-queue.js';

export type { Sleep } from '@ia-agents/core';

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
