import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock, createTradingEngine, type Candle, type MarketEvent, type MarketFeed, type Timeframe } from '@ia-agents/core';
import { createReplayFeed } from '../feeds/replay-feed.js';
import { bundledCandlesPath } from '../bundled-data.js';
import { PaperExchange } from '../paper/paper-exchange.js';
import { createSmaCrossover } from '../strategies/sma-crossover.js';
import { createDataPipeline } from './data-pipeline.js';
import { dedupeCandles, resampleCandles, validateCandles, type MarketEventProcessor, type RejectedCandle } from './processors.js';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const candle = (index: number, close = 100 + index): Candle => ({ timestamp: T0 + index * MINUTE, open: 100 + index - 0.5, high: Math.max(100 + index - 0.5, close) + 1, low: Math.min(100 + index - 0.5, close) - 1, close, volume: 1 + index });

/** A feed that emits the given events as they are (collectors may repeat, disorder or corrupt data). */
function feedOf(events: MarketEvent[], timeframe: Timeframe = '1m'): MarketFeed {
  return { specificationVersion: 'v1', symbols: ['BTC/USDT'], timeframe, events: async function* () { yield* events; } };
}
const batch = (candles: Candle[], symbol = 'BTC/USDT'): MarketEvent => ({ type: 'candles', symbol, timeframe: '1m', candles });

describe('createDataPipeline', () => {
  it('validates, de-duplicates, stores, then hands each event to the consumer in order', async () => {
    const log: string[] = [];
    const rejected: RejectedCandle[] = [];
    const broken = { ...candle(2), high: 50 };
    const pipeline = createDataPipeline({
      collectors: [feedOf([batch([candle(0), candle(1), broken]), batch([candle(1), candle(2), candle(3)]), batch([candle(5)])])],
      processors: [validateCandles({ onRejected: (entry) => rejected.push(entry) }), dedupeCandles()],
      storage: (events) => void log.push(`store ${events.map(label).join(' ')}`),
      consumer: (event) => void log.push(`analyse ${label(event)}`),
    });
    const summary = await pipeline.run();
    expect(log).toEqual(['store c0,1', 'analyse c0,1', 'store c2,3', 'analyse c2,3', 'store gap4 c5', 'analyse gap4', 'analyse c5']);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ symbol: 'BTC/USDT', candle: broken });
    expect(rejected[0]!.reason).toContain('high');
    expect(summary).toEqual({ collected: 3, processed: 4, candles: 5, gaps: 1 });
  });

  it('resamples 1m candles into 5m buckets (open first, close last, high/low extremes, volume summed)', async () => {
    const minutes = Array.from({ length: 12 }, (_, index) => candle(index));
    const out: MarketEvent[] = [];
    const pipeline = createDataPipeline({ collectors: [feedOf([batch(minutes.slice(0, 7)), batch(minutes.slice(7))])], processors: [dedupeCandles(), resampleCandles({ to: '5m' })], consumer: (event) => void out.push(event), timeframe: '5m' });
    await pipeline.run();
    const bucket = (from: number) => ({ timestamp: T0 + from * MINUTE, open: minutes[from]!.open, high: Math.max(...minutes.slice(from, from + 5).map((entry) => entry.high)), low: Math.min(...minutes.slice(from, from + 5).map((entry) => entry.low)), close: minutes[from + 4]!.close, volume: minutes.slice(from, from + 5).reduce((sum, entry) => sum + entry.volume, 0) });
    // Minutes 10 and 11 are an unfinished bucket: not passed on.
    expect(out).toEqual([{ type: 'candles', symbol: 'BTC/USDT', timeframe: '5m', candles: [bucket(0)] }, { type: 'candles', symbol: 'BTC/USDT', timeframe: '5m', candles: [bucket(5)] }]);
    expect(pipeline.timeframe).toBe('5m');
    const wrong = createDataPipeline({ collectors: [feedOf([batch(minutes)])], processors: [resampleCandles({ to: '1m' })] });
    await expect(createDataPipeline({ collectors: [feedOf([{ type: 'candles', symbol: 'BTC/USDT', timeframe: '1h', candles: minutes }])], processors: [resampleCandles({ to: '5m' })] }).run()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect((await wrong.run()).candles).toBe(12);
  });

  it('feeding the engine through the pipeline from two overlapping collectors decides exactly as the plain feed does', async () => {
    const path = bundledCandlesPath('coinbase_BTC-USD_4h');
    const range = { from: Date.UTC(2020, 0, 1), to: Date.UTC(2021, 0, 1) };
    const run = async (drive: (engine: ReturnType<typeof createTradingEngine>, feed: MarketFeed) => Promise<unknown>) => {
      const feed = createReplayFeed({ sources: [{ symbol: 'BTC/USD', path }], ...range, batchSize: 97 });
      const clock = new SimulatedClock(range.from);
      const exchange = new PaperExchange({ balances: { USD: 10_000 }, quoteCurrency: 'USD', clock });
      const strategy = createSmaCrossover();
      const engine = createTradingEngine({ exchange, clock, assistants: [strategy.assistant], trigger: strategy.trigger, quoteCurrency: 'USD' });
      await drive(engine, feed);
      return { summary: engine.summary, portfolio: exchange.getPortfolio(), orders: await exchange.fetchOpenOrders() };
    };
    const direct = await run(async (engine, feed) => {
      for await (const event of feed.events()) await engine.handle(event);
    });
    const piped = await run(async (engine, feed) => {
      const twin = createReplayFeed({ sources: [{ symbol: 'BTC/USD', path }], ...range, batchSize: 50 });
      return createDataPipeline({ collectors: [feed, twin], consumer: engine }).run();
    });
    expect(direct.summary.decisions).toBeGreaterThan(0);
    expect(piped).toEqual(direct);
  });
});

describe('createDataPipeline (property-based)', () => {
  /** One collector's batches: the series cut at random, each batch repeating up to `overlap` candles before it, some with a broken copy of a candle; warm-up and live candles never share a batch. */
  const scenario = fc.record({
    length: fc.integer({ min: 1, max: 120 }),
    holes: fc.array(fc.record({ at: fc.nat(), size: fc.integer({ min: 1, max: 7 }) }), { maxLength: 4 }),
    warmupShare: fc.double({ min: 0, max: 1, noNaN: true }),
    cuts: fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 40 }),
    overlap: fc.integer({ min: 0, max: 4 }),
    broken: fc.array(fc.nat(), { maxLength: 5 }),
  });

  it('passes each candle on once, in order, warm-up kept warm-up, every hole a gap, and resamples exactly the finished buckets', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ length, holes, warmupShare, cuts, overlap, broken }) => {
        const missing = new Set(holes.flatMap(({ at, size }) => Array.from({ length: size }, (_, offset) => (at % length) + offset)));
        const indices = Array.from({ length }, (_, index) => index).filter((index) => !missing.has(index));
        const warmupEnd = Math.floor(length * warmupShare);
        const events: MarketEvent[] = [];
        let position = 0;
        let cut = 0;
        while (position < indices.length) {
          const live = indices[position]! >= warmupEnd;
          let end = Math.min(indices.length, position + cuts[cut++ % cuts.length]!);
          // A batch is all warm-up or all live.
          while (indices[end - 1]! >= warmupEnd !== live) end -= 1;
          const batchIndices = indices.slice(Math.max(0, position - overlap), end);
          const candles = batchIndices.map((index) => candle(index));
          if (broken.includes(events.length)) candles.splice(0, 0, { ...candle(batchIndices[0]!), high: 0 });
          events.push(live ? batch(candles) : { type: 'candles', symbol: 'BTC/USDT', timeframe: '1m', candles, warmup: true });
          position = end;
        }
        const run = async (processors: MarketEventProcessor[]) => {
          const out: MarketEvent[] = [];
          await createDataPipeline({ collectors: [feedOf(events)], processors, consumer: (event) => void out.push(event) }).run();
          return out;
        };
        // Validated and de-duplicated: every candle once, in order, warm-up as it came, a gap right before the candle after each hole.
        const plain = await run([validateCandles(), dedupeCandles()]);
        const passed = plain.flatMap((event) => (event.type === 'candles' ? event.candles.map((entry) => ({ index: (entry.timestamp - T0) / MINUTE, warmup: event.warmup === true, entry })) : []));
        expect(passed.map(({ index }) => index)).toEqual(indices);
        for (const { index, warmup, entry } of passed) {
          expect(entry).toEqual(candle(index));
          expect(warmup).toBe(index < warmupEnd);
        }
        const gaps = plain.filter((event) => event.type === 'gap').map((event) => [(event.from - T0) / MINUTE, (event.to - T0) / MINUTE]);
        expect(gaps).toEqual(indices.slice(1).flatMap((index, position) => (index - indices[position]! > 1 ? [[indices[position]! + 1, index]] : [])));
        // Resampled to 5m: a bucket goes out once a later candle or its own last minute has come; warm-up when all its minutes were.
        const resampled = (await run([validateCandles(), dedupeCandles(), resampleCandles({ to: '5m' })])).flatMap((event) => (event.type === 'candles' ? event.candles.map((entry) => ({ entry, warmup: event.warmup === true })) : []));
        const starts = [...new Set(indices.map((index) => Math.floor(index / 5) * 5))];
        const finished = starts.filter((start) => start !== starts.at(-1) || indices.includes(start + 4));
        expect(resampled).toEqual(
          finished.map((start) => {
            const parts = indices.filter((index) => index >= start && index < start + 5).map((index) => candle(index));
            const entry = { timestamp: T0 + start * MINUTE, open: parts[0]!.open, high: Math.max(...parts.map((part) => part.high)), low: Math.min(...parts.map((part) => part.low)), close: parts.at(-1)!.close, volume: parts.reduce((sum, part) => sum + part.volume, 0) };
            return { entry, warmup: parts.every((part) => (part.timestamp - T0) / MINUTE < warmupEnd) };
          }),
        );
      }),
      { numRuns: 500, seed: 20261213 },
    );
  });
});

function label(event: MarketEvent): string {
  if (event.type === 'candles') return `c${event.candles.map((entry) => (entry.timestamp - T0) / MINUTE).join(',')}`;
  if (event.type === 'gap') return `gap${(event.from - T0) / MINUTE}`;
  return event.type;
}
