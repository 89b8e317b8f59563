import type { MarketEvent, MarketFeed, Timeframe } from '@ia-agents/core';
import { ConfigError } from '@ia-agents/core';
import { AsyncQueue } from '../util/async-queue.js';
import { dedupeCandles, validateCandles, type MarketEventProcessor } from './processors.js';

/** Where processed events go before analysis: a database writer, a CSV appender, a cache. */
export type PipelineStorage = (events: readonly MarketEvent[]) => void | Promise<void>;

/** What analyses the stored events: the trading engine (`engine.handle`) or any function. */
export type PipelineConsumer = { handle(event: MarketEvent, signal?: AbortSignal): Promise<void> } | ((event: MarketEvent, signal?: AbortSignal) => void | Promise<void>);

/** Options of `createDataPipeline`. */
export interface DataPipelineOptions {
  /** Collectors: the feeds whose events enter the pipeline (replay, polling, streaming, news...). */
  collectors: readonly MarketFeed[];
  /** Processing steps, in order. @default [validateCandles(), dedupeCandles()] */
  processors?: readonly MarketEventProcessor[];
  /** Storage: gets every processed batch before the consumer does. */
  storage?: PipelineStorage;
  /** Trigger analysis: gets every processed event, in order, one at a time. */
  consumer?: PipelineConsumer;
  /** Timeframe the pipeline announces as a feed. @default the first collector's */
  timeframe?: Timeframe;
}

/** Counts of a pipeline run. */
export interface PipelineSummary {
  /** Events that came out of the collectors. */
  collected: number;
  /** Events that came out of the processors. */
  processed: number;
  /** Candles passed on. */
  candles: number;
  /** Gap events passed on. */
  gaps: number;
}

/** The data pipeline: a feed itself (processed events), and a runner that stores and hands them on. */
export interface DataPipeline extends MarketFeed {
  /** Collects, processes, stores and hands every event to the consumer until the collectors end or `signal` aborts. */
  run(options?: { signal?: AbortSignal }): Promise<PipelineSummary>;
}

/** Every collector's events in one stream, in arrival order. */
async function* collect(collectors: readonly MarketFeed[], signal: AbortSignal | undefined): AsyncGenerator<MarketEvent> {
  if (collectors.length === 1) return yield* collectors[0]!.events(signal === undefined ? {} : { signal });
  const queue = new AsyncQueue<MarketEvent>();
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const pump = async (feed: MarketFeed) => {
    for await (const event of feed.events({ signal: controller.signal })) queue.push(event);
  };
  Promise.all(collectors.map(pump)).then(() => queue.end(), (error: unknown) => queue.fail(error));
  try {
    yield* queue;
  } finally {
    controller.abort();
  }
}

/** Runs the processors over one event. */
function processEvent(processors: readonly MarketEventProcessor[], event: MarketEvent): MarketEvent[] {
  let events = [event];
  for (const processor of processors) events = events.flatMap((entry) => processor.process(entry));
  return events;
}

/**
 * The data pipeline of the design (seed 4.2): collectors -> processors -> storage -> trigger
 * analysis. Collectors are feeds; processors validate, de-duplicate and resample; storage gets
 * each processed batch first; the consumer (the engine's `handle`) then analyses it. The pipeline
 * is also a `MarketFeed`, so an engine can take it as its feed directly.
 * @example
 * const pipeline = createDataPipeline({ collectors: [feed], processors: [validateCandles(), dedupeCandles(), resampleCandles({ to: '1h' })], storage: (events) => save(events), consumer: engine });
 * const summary = await pipeline.run({ signal });
 */
export function createDataPipeline(options: DataPipelineOptions): DataPipeline {
  if (options.collectors.length === 0) throw new ConfigError('data pipeline options', [{ path: ['collectors'], message: 'give at least one collector' }]);
  const processors = options.processors ?? [validateCandles(), dedupeCandles()];
  async function* events({ signal }: { signal?: AbortSignal } = {}, summary: PipelineSummary = { collected: 0, processed: 0, candles: 0, gaps: 0 }): AsyncGenerator<MarketEvent> {
    for await (const event of collect(options.collectors, signal)) {
      summary.collected += 1;
      const processed = processEvent(processors, event);
      if (processed.length === 0) continue;
      await options.storage?.(processed);
      for (const entry of processed) {
        summary.processed += 1;
        if (entry.type === 'candles') summary.candles += entry.candles.length;
        if (entry.type === 'gap') summary.gaps += 1;
        yield entry;
      }
    }
  }
  const consume = async (event: MarketEvent, signal?: AbortSignal) => {
    const consumer = options.consumer;
    if (consumer === undefined) return;
    if (typeof consumer === 'function') await consumer(event, signal);
    else await consumer.handle(event, signal);
  };
  return {
    specificationVersion: 'v1',
    symbols: [...new Set(options.collectors.flatMap((feed) => feed.symbols))],
    timeframe: options.timeframe ?? options.collectors[0]!.timeframe,
    events: (feedOptions) => events(feedOptions),
    async run({ signal } = {}) {
      const summary: PipelineSummary = { collected: 0, processed: 0, candles: 0, gaps: 0 };
      for await (const event of events(signal === undefined ? {} : { signal }, summary)) await consume(event, signal);
      return summary;
    },
  };
}
