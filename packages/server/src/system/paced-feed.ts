import type { MarketEvent, MarketFeed } from '@ia-agents/core';

/** How fast a paced replay runs. */
export interface PacedFeedOptions {
  /** Candles per second after the warm-up. */
  candlesPerSecond: number;
  /** Candles passed through at once first (indicator warm-up). @default 0 */
  warmup?: number;
  /** Waits; injectable for tests. @default setTimeout */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
}

function defaultSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Replays a feed on an accelerated clock: after the warm-up, one candle every 1/candlesPerSecond
 * seconds, so people watching the dashboard see decisions arrive one by one.
 * @example const feed = pacedFeed(createReplayFeed({ sources }), { candlesPerSecond: 4, warmup: 60 });
 */
export function pacedFeed(feed: MarketFeed, options: PacedFeedOptions): MarketFeed {
  const sleep = options.sleep ?? defaultSleep;
  const interval = 1000 / options.candlesPerSecond;
  return {
    specificationVersion: 'v1',
    symbols: feed.symbols,
    timeframe: feed.timeframe,
    async *events(eventOptions: { signal?: AbortSignal } = {}): AsyncIterable<MarketEvent> {
      let passed = 0;
      const warmup = options.warmup ?? 0;
      for await (const event of feed.events(eventOptions)) {
        if (event.type !== 'candles') {
          yield event;
          continue;
        }
        for (const candle of event.candles) {
          if (eventOptions.signal?.aborted) return;
          if (passed >= warmup) await sleep(interval, eventOptions.signal);
          // The warm-up candles are history the team learns from before the replay starts to trade.
          yield passed < warmup ? { ...event, candles: [candle], warmup: true } : { ...event, candles: [candle] };
          passed += 1;
        }
      }
    },
  };
}
