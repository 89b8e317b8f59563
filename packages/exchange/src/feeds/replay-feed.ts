import { z } from 'zod';
import { ConfigError, parseWith, timeframeSchema, timeframeToMs, type Candle, type MarketEvent, type MarketFeed, type Timeframe } from '@ia-agents/core';
import { checkCandles, readCandlesCsv, type CandleSeries } from './candle-series.js';

const sourceSchema = z
  .object({
    /** Unified symbol of the candles, e.g. `BTC/USDT`. */
    symbol: z.string().min(1),
    /** A CSV file in the uniform format. */
    path: z.string().min(1).optional(),
    /** Candles given directly, oldest first. */
    candles: z.custom<Candle[]>((value) => Array.isArray(value), 'expected an array of candles').optional(),
    /** Timeframe. @default from the file name, else the most common spacing */
    timeframe: timeframeSchema.optional(),
    /** Unit of a CSV file's first column when its header does not say. @default 'ms' */
    timeUnit: z.enum(['ms', 's']).optional(),
  })
  .refine((source) => (source.path === undefined) !== (source.candles === undefined), { message: 'give exactly one of path or candles', path: ['path'] });

/** Options of `createReplayFeed`. */
export const replayFeedOptionsSchema = z.object({
  /** One source per symbol; all share one timeframe. */
  sources: z.array(sourceSchema).min(1),
  /**
   * Candles per event for a single symbol. Several symbols are interleaved candle by candle, except
   * where one market is alone (before the others start, after they end, in their gaps): batches
   * then too. @default 10000
   */
  batchSize: z.number().int().positive().default(10_000),
  /** Skip candles opening before this time, UTC ms. */
  from: z.number().int().nonnegative().optional(),
  /** Skip candles opening at or after this time, UTC ms. */
  to: z.number().int().nonnegative().optional(),
  /**
   * Candles that close at or before this time, UTC ms, go out as warm-up history (`warmup: true`):
   * the engine learns from them and decides nothing, as a live feed treats what closed before it
   * started. @default no warm-up
   */
  tradeFrom: z.number().int().nonnegative().optional(),
});
export type ReplayFeedOptions = z.input<typeof replayFeedOptionsSchema>;

/** A feed that replays history; it also exposes the checked candles it replays. */
export interface ReplayFeed extends MarketFeed {
  /** Checked candles and gaps by symbol. */
  readonly series: ReadonlyMap<string, CandleSeries>;
}

function load(source: z.output<typeof sourceSchema>, range: { from?: number | undefined; to?: number | undefined }): CandleSeries {
  const series =
    source.path !== undefined
      ? readCandlesCsv(source.path, { ...(source.timeframe === undefined ? {} : { timeframe: source.timeframe }), ...(source.timeUnit === undefined ? {} : { timeUnit: source.timeUnit }) })
      : checkCandles(source.candles!, { source: `candles of ${source.symbol}` }, source.timeframe);
  if (range.from === undefined && range.to === undefined) return series;
  const inside = (time: number) => time >= (range.from ?? 0) && time < (range.to ?? Number.POSITIVE_INFINITY);
  return { ...series, candles: series.candles.filter((candle) => inside(candle.timestamp)), gaps: series.gaps.filter((gap) => inside(gap.to)) };
}

/**
 * Replays candles from CSV files or arrays as batched `candles` events, with `gap` events where
 * candles are missing. Every row is checked up front: a bad row fails with file, line and field.
 * @example
 * const feed = createReplayFeed({ sources: [{ symbol: 'BTC/USD', path: bundledCandlesPath('coinbase_BTC-USD_4h') }] });
 * for await (const event of feed.events()) console.log(event.type);
 */
export function createReplayFeed(options: ReplayFeedOptions): ReplayFeed {
  const settings = parseWith(replayFeedOptionsSchema, options, 'replay feed options', 'CONFIG_INVALID');
  const series = new Map<string, CandleSeries>();
  for (const source of settings.sources) {
    if (series.has(source.symbol)) throw new ConfigError('replay feed options', [{ path: ['sources'], message: `${source.symbol} is given twice` }]);
    series.set(source.symbol, load(source, settings));
  }
  const timeframes = new Set([...series.values()].map((entry) => entry.timeframe));
  if (timeframes.size > 1) throw new ConfigError('replay feed options', [{ path: ['sources'], message: `all sources must share one timeframe, got ${[...timeframes].join(', ')}` }]);
  const timeframe = [...timeframes][0]!;
  return {
    specificationVersion: 'v1',
    symbols: [...series.keys()],
    timeframe,
    series,
    events: (options = {}) => asAsync(replay(options.signal)),
    eventsNow: (options = {}) => replay(options.signal),
  };

  function replay(signal: AbortSignal | undefined): Generator<MarketEvent> {
    const tradeFrom = settings.tradeFrom ?? Number.NEGATIVE_INFINITY;
    return series.size === 1 ? replayOne([...series][0]!, timeframe, settings.batchSize, tradeFrom, signal) : replayMany(series, timeframe, settings.batchSize, tradeFrom, signal);
  }
}

/** The events of a replay as an async iterable (the feed contract), one after the other. */
async function* asAsync(events: Iterable<MarketEvent>): AsyncGenerator<MarketEvent> {
  yield* events;
}

/** Index of the candle after each gap (one pass: both lists are in time order). */
function gapPositions(candles: readonly Candle[], gaps: CandleSeries['gaps']): number[] {
  const positions: number[] = [];
  let index = 0;
  for (const gap of gaps) {
    while (index < candles.length && candles[index]!.timestamp < gap.to) index += 1;
    positions.push(index);
  }
  return positions;
}

function* replayOne([symbol, { candles, gaps }]: [string, CandleSeries], timeframe: Timeframe, batchSize: number, tradeFrom: number, signal?: AbortSignal): Generator<MarketEvent> {
  const positions = gapPositions(candles, gaps);
  const length = timeframeToMs(timeframe);
  // Candles before `live` are warm-up history; a batch never spans the boundary either.
  let live = 0;
  while (live < candles.length && candles[live]!.timestamp + length <= tradeFrom) live += 1;
  let start = 0;
  let gapIndex = 0;
  while (start < candles.length) {
    if (signal?.aborted === true) return;
    // A batch never spans a gap, so the gap event comes exactly between the candles around it.
    const gapAt = positions[gapIndex] ?? Number.POSITIVE_INFINITY;
    const end = Math.min(candles.length, start + batchSize, gapAt, start < live ? live : Number.POSITIVE_INFINITY);
    if (end > start) yield start < live ? { type: 'candles', symbol, timeframe, candles: candles.slice(start, end), warmup: true } : { type: 'candles', symbol, timeframe, candles: candles.slice(start, end) };
    if (end === gapAt) {
      const gap = gaps[gapIndex]!;
      yield { type: 'gap', symbol, timeframe, from: gap.from, to: gap.to, missing: gap.missing };
      gapIndex += 1;
    }
    start = end;
  }
}

function* replayMany(series: ReadonlyMap<string, CandleSeries>, timeframe: Timeframe, batchSize: number, tradeFrom: number, signal?: AbortSignal): Generator<MarketEvent> {
  const length = timeframeToMs(timeframe);
  // Per market: where its gaps end and its warm-up ends, as positions (no time compared per candle for them).
  const cursors = [...series].map(([symbol, { candles, gaps }]) => {
    let live = 0;
    while (live < candles.length && candles[live]!.timestamp + length <= tradeFrom) live += 1;
    return { symbol, candles, gaps, gapAt: gapPositions(candles, gaps), gap: 0, index: 0, live };
  });
  const count = cursors.length;
  // Indexed loops: in a generator, for...of makes an iterator and a result object per step.
  for (;;) {
    if (signal?.aborted === true) return;
    // The earliest next candle, how many markets have one then, and the next time after it.
    let time = Number.POSITIVE_INFINITY;
    let due = 0;
    let others = Number.POSITIVE_INFINITY;
    for (let index = 0; index < count; index += 1) {
      const cursor = cursors[index]!;
      const at = cursor.index < cursor.candles.length ? cursor.candles[cursor.index]!.timestamp : Number.POSITIVE_INFINITY;
      if (at < time) {
        others = time;
        time = at;
        due = 1;
      } else if (at === time) due += 1;
      else if (at < others) others = at;
    }
    if (time === Number.POSITIVE_INFINITY) return;
    for (let index = 0; index < count; index += 1) {
      const cursor = cursors[index]!;
      const candles = cursor.candles;
      const at = cursor.index;
      const candle = candles[at];
      if (candle === undefined || candle.timestamp !== time) continue;
      if (cursor.gapAt[cursor.gap] === at) {
        const gap = cursor.gaps[cursor.gap]!;
        yield { type: 'gap', symbol: cursor.symbol, timeframe, from: gap.from, to: gap.to, missing: gap.missing };
        cursor.gap += 1;
      }
      const warmup = at < cursor.live;
      let end = at + 1;
      // A market alone until the others' next candle goes out in batches (up to its next gap or the warm-up's end).
      if (due === 1) {
        const last = Math.min(candles.length, at + batchSize, cursor.gapAt[cursor.gap] ?? Number.POSITIVE_INFINITY, warmup ? cursor.live : Number.POSITIVE_INFINITY);
        while (end < last && candles[end]!.timestamp < others) end += 1;
      }
      // One candle (markets in step): an array literal, cheaper than a slice.
      const batch = end === at + 1 ? [candle] : candles.slice(at, end);
      cursor.index = end;
      yield warmup ? { type: 'candles', symbol: cursor.symbol, timeframe, candles: batch, warmup: true } : { type: 'candles', symbol: cursor.symbol, timeframe, candles: batch };
    }
  }
}
