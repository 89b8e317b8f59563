import { ConfigError, timeframeToMs, type Candle, type MarketEvent, type Timeframe } from '@ia-agents/core';
import { checkCandles } from '../feeds/candle-series.js';
import { CandleSequencer } from '../feeds/candle-sequencer.js';

/** A candle a processor set aside, and why. */
export interface RejectedCandle {
  symbol: string;
  candle: Candle;
  reason: string;
}

/**
 * One step of the data pipeline: takes an event, returns the events that go on (none, the same,
 * or others). Processors keep their own per-symbol state and run synchronously, in order.
 */
export interface MarketEventProcessor {
  /** Name, for reports. */
  readonly name: string;
  /** Events that go on. */
  process(event: MarketEvent): MarketEvent[];
}

/** Passes on the candles of a batch that satisfy `keep`. */
function filterCandles(event: MarketEvent, keep: (candle: Candle) => boolean): MarketEvent[] {
  if (event.type !== 'candles') return [event];
  const candles = event.candles.filter(keep);
  return candles.length === 0 ? [] : [{ ...event, candles }];
}

/**
 * Drops malformed candles (non-finite or non-positive prices, high below low, open or close
 * outside the range, negative volume) and tells `onRejected` which field was wrong.
 */
export function validateCandles(options: { onRejected?: (rejected: RejectedCandle) => void } = {}): MarketEventProcessor {
  return {
    name: 'validate',
    process: (event) =>
      filterCandles(event, (candle) => {
        try {
          checkCandles([candle], { source: `candle ${candle.timestamp} of ${event.type === 'candles' ? event.symbol : ''}` }, event.type === 'candles' ? event.timeframe : '1m');
          return true;
        } catch (error) {
          if (event.type === 'candles') options.onRejected?.({ symbol: event.symbol, candle, reason: (error as Error).message });
          return false;
        }
      }),
  };
}

/**
 * Passes each candle on once, in time order per symbol and timeframe (what two collectors or a
 * reconnecting stream repeat is dropped), and reports missing candles as `gap` events.
 */
export function dedupeCandles(options: { onDuplicate?: (symbol: string, candle: Candle) => void } = {}): MarketEventProcessor {
  const sequencers = new Map<string, CandleSequencer>();
  return {
    name: 'dedupe',
    process(event) {
      if (event.type === 'gap') return [];
      if (event.type !== 'candles') return [event];
      const key = `${event.symbol} ${event.timeframe}`;
      const sequencer = sequencers.get(key) ?? new CandleSequencer(event.symbol, event.timeframe);
      sequencers.set(key, sequencer);
      const last = sequencer.last ?? Number.NEGATIVE_INFINITY;
      for (const candle of event.candles) if (candle.timestamp <= last) options.onDuplicate?.(event.symbol, candle);
      // Warm-up history stays warm-up: an engine behind the pipeline learns from it without acting on it.
      return sequencer.accept(event.candles, event.warmup === true);
    },
  };
}

/** Candle of a bucket from its parts (oldest first). */
function merge(start: number, parts: readonly Candle[]): Candle {
  let high = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  let volume = 0;
  for (const part of parts) {
    high = Math.max(high, part.high);
    low = Math.min(low, part.low);
    volume += part.volume;
  }
  return { timestamp: start, open: parts[0]!.open, high, low, close: parts.at(-1)!.close, volume };
}

/**
 * Aggregates candles into a longer timeframe (e.g. 1m into 1h, buckets aligned to UTC): a bucket
 * is passed on once a candle of a later bucket arrives, or as soon as its last part has arrived.
 * A bucket made only of warm-up candles is warm-up too. Events of other kinds pass through; gaps of
 * the short timeframe are dropped (follow it with `dedupeCandles()` to report gaps in the long one).
 */
export function resampleCandles(options: { to: Timeframe }): MarketEventProcessor {
  const length = timeframeToMs(options.to);
  const open = new Map<string, { start: number; parts: Candle[]; warmup: boolean }>();
  return {
    name: `resample-${options.to}`,
    process(event) {
      if (event.type === 'gap') return [];
      if (event.type !== 'candles') return [event];
      const step = timeframeToMs(event.timeframe);
      if (step > length || length % step !== 0) throw new ConfigError('resample processor', [{ path: ['to'], message: `cannot resample ${event.timeframe} candles of ${event.symbol} into ${options.to}` }]);
      const warmup = event.warmup === true;
      const done: { candle: Candle; warmup: boolean }[] = [];
      const close = (finished: { start: number; parts: Candle[]; warmup: boolean }) => done.push({ candle: merge(finished.start, finished.parts), warmup: finished.warmup });
      let bucket = open.get(event.symbol);
      for (const candle of event.candles) {
        const start = Math.floor(candle.timestamp / length) * length;
        if (bucket !== undefined && start !== bucket.start) close(bucket);
        if (bucket === undefined || start !== bucket.start) bucket = { start, parts: [], warmup: true };
        bucket.parts.push(candle);
        bucket.warmup &&= warmup;
        if (candle.timestamp + step === start + length) {
          close(bucket);
          bucket = undefined;
        }
      }
      if (bucket === undefined) open.delete(event.symbol);
      else open.set(event.symbol, bucket);
      // One event per run of buckets with the same warm-up flag, in order.
      const events: MarketEvent[] = [];
      for (const { candle, warmup: history } of done) {
        const last = events.at(-1);
        if (last?.type === 'candles' && (last.warmup === true) === history) last.candles.push(candle);
        else events.push(history ? { type: 'candles', symbol: event.symbol, timeframe: options.to, candles: [candle], warmup: true } : { type: 'candles', symbol: event.symbol, timeframe: options.to, candles: [candle] });
      }
      return events;
    },
  };
}
