import { z } from 'zod';
import { ConfigError, closedCandles, parseWith, systemClock, timeframeSchema, timeframeToMs, type Candle, type Clock, type Exchange, type MarketEvent, type MarketFeed, type OrderBook, type Timeframe } from '@ia-agents/core';
import type { OhlcvUpdate } from '../ccxt/ccxt-stream.js';
import { CandleSequencer } from './candle-sequencer.js';
import { mergeSymbolLoops } from './live-feed.js';

/** Options of `createStreamingFeed`, validated at construction. */
export const streamingFeedOptionsSchema = z.object({
  /** Unified symbols to stream, e.g. `['BTC/USDT']`. */
  symbols: z.array(z.string().min(1)).min(1),
  /** Timeframe of the candles. */
  timeframe: timeframeSchema,
  /**
   * Closed candles of history passed on first, as warm-up (the engine learns from them and trades
   * from the next). @default 200, the engine's default lookback: its first decisions then see the
   * history a backtest's decisions see (`checkWarmup` shows what a trigger needs).
   */
  warmup: z.number().int().min(0).max(10_000).default(200),
  /**
   * Also follow each symbol's order book (ccxt pro `watchOrderBook`) and pass it on as
   * `order-book` events: the `limit` best levels a side, at most one event per `intervalMs` (the
   * latest book then; a simulated exchange fills market orders against it). Off when absent.
   */
  orderBooks: z
    .object({
      /** Levels a side. @default 20 */
      limit: z.number().int().positive().max(5000).default(20),
      /** Least time between two book events of a symbol, ms. @default 1000 */
      intervalMs: z.number().int().min(0).default(1000),
    })
    .optional(),
});

/** The part of `CcxtStream` the feed uses (`watchOrderBook` with `orderBooks` only). */
export interface OhlcvStream {
  watchOHLCV(symbol: string, timeframe: Timeframe, options?: { signal?: AbortSignal }): AsyncIterable<OhlcvUpdate>;
  watchOrderBook?(symbol: string, options?: { limit?: number; signal?: AbortSignal }): AsyncIterable<OrderBook>;
}

/** Options of `createStreamingFeed`. */
export type StreamingFeedOptions = z.input<typeof streamingFeedOptionsSchema> & {
  /** The websocket streams (a `CcxtStream`). */
  stream: OhlcvStream;
  /** REST access for the warm-up and for candles missed while the stream was down (a `CcxtExchange`). */
  exchange: Pick<Exchange, 'fetchOHLCV'>;
  /** Time source. @default the system clock */
  clock?: Clock;
};

type Settings = z.output<typeof streamingFeedOptionsSchema>;
interface Context { settings: Settings; stream: OhlcvStream; exchange: Pick<Exchange, 'fetchOHLCV'>; clock: Clock }

/** One symbol's state: what was passed on and the candle still forming. */
class SymbolStream {
  readonly sequencer: CandleSequencer;
  pending: Candle | undefined;

  constructor(
    readonly context: Context,
    readonly symbol: string,
    readonly emit: (events: MarketEvent[]) => void,
  ) {
    // What had closed when the feed started is warm-up history: learnt from, not acted on.
    this.sequencer = new CandleSequencer(symbol, context.settings.timeframe, undefined, context.clock.now());
  }

  /**
   * Closed candles over REST from the next expected one (or `from`), passed on in order. A candle
   * is closed when this clock says so, or when the exchange has begun a later one (`begun`: the
   * stream's candle that prompted the call): a clock a little behind the exchange's must not hold
   * back a candle the exchange has closed, or it would be skipped as a gap.
   */
  async backfill(from: number, begun = Number.NEGATIVE_INFINITY): Promise<void> {
    const { exchange, settings, clock } = this.context;
    const candles = await exchange.fetchOHLCV(this.symbol, settings.timeframe, this.sequencer.next ?? from);
    const now = clock.now();
    this.emit(this.sequencer.accept(closedCandles(candles, settings.timeframe, now, begun)));
  }

  /** A stream update: a newer candle closes the pending one; a jump or a reconnection is filled over REST. */
  async update({ candles, resumed }: OhlcvUpdate): Promise<void> {
    if (resumed) {
      // The pending candle's final update may have been lost with the connection: REST has it.
      const from = this.sequencer.next ?? this.pending?.timestamp;
      this.pending = undefined;
      if (from !== undefined) await this.backfill(from, Math.max(...candles.map((candle) => candle.timestamp)));
    }
    for (const candle of [...candles].sort((a, b) => a.timestamp - b.timestamp)) await this.#candle(candle);
  }

  async #candle(candle: Candle): Promise<void> {
    if (this.sequencer.last !== undefined && candle.timestamp <= this.sequencer.last) return;
    const pending = this.pending;
    if (pending !== undefined && candle.timestamp < pending.timestamp) return;
    if (pending !== undefined && candle.timestamp > pending.timestamp) {
      this.emit(this.sequencer.accept([pending]));
      if (candle.timestamp > this.sequencer.next!) await this.backfill(this.sequencer.next!, candle.timestamp);
    }
    this.pending = candle;
  }
}

async function runSymbol(context: Context, symbol: string, emit: (events: MarketEvent[]) => void, signal: AbortSignal): Promise<void> {
  await Promise.all([runCandles(context, symbol, emit, signal), runOrderBooks(context, symbol, emit, signal)]);
}

/** A symbol's order books, when asked for: the latest one at most every `intervalMs`. */
async function runOrderBooks(context: Context, symbol: string, emit: (events: MarketEvent[]) => void, signal: AbortSignal): Promise<void> {
  const books = context.settings.orderBooks;
  if (books === undefined) return;
  let last = Number.NEGATIVE_INFINITY;
  for await (const orderBook of context.stream.watchOrderBook!(symbol, { limit: books.limit, signal })) {
    if (signal.aborted) return;
    const now = context.clock.now();
    if (now - last < books.intervalMs) continue;
    last = now;
    emit([{ type: 'order-book', orderBook }]);
  }
}

async function runCandles(context: Context, symbol: string, emit: (events: MarketEvent[]) => void, signal: AbortSignal): Promise<void> {
  const state = new SymbolStream(context, symbol, emit);
  const length = timeframeToMs(context.settings.timeframe);
  if (context.settings.warmup > 0) await state.backfill(Math.floor(context.clock.now() / length) * length - context.settings.warmup * length);
  for await (const update of context.stream.watchOHLCV(symbol, context.settings.timeframe, { signal })) {
    if (signal.aborted) return;
    await state.update(update);
  }
}

/**
 * A live feed on websocket candle streams (ccxt pro `watchOHLCV`): a candle is passed on once it
 * has closed, i.e. when the stream moves on to the next one, with its final values. After a
 * reconnection, and whenever the stream skips candles, the missed closed candles are fetched over
 * REST, so nothing is lost or passed on twice; what the exchange does not have becomes a `gap`.
 * With `orderBooks`, each symbol's order book comes beside its candles (`order-book` events).
 * @example
 * const stream = createCcxtStream();
 * const feed = createStreamingFeed({ stream, exchange: createCcxtExchange({ client: stream.client }), symbols: ['BTC/USDT'], timeframe: '1m', warmup: 100 });
 * for await (const event of feed.events({ signal })) console.log(event);
 */
export function createStreamingFeed(options: StreamingFeedOptions): MarketFeed {
  const { stream, exchange, clock, ...rest } = options;
  const settings = parseWith(streamingFeedOptionsSchema, rest, 'streaming feed options', 'CONFIG_INVALID');
  if (settings.orderBooks !== undefined && stream.watchOrderBook === undefined) throw new ConfigError('streaming feed options', [{ path: ['orderBooks'], message: 'the stream has no watchOrderBook' }]);
  const context: Context = { settings, stream, exchange, clock: clock ?? systemClock };
  return {
    specificationVersion: 'v1',
    symbols: settings.symbols,
    timeframe: settings.timeframe as Timeframe,
    events: ({ signal } = {}) => mergeSymbolLoops(settings.symbols, (symbol, emit, stop) => runSymbol(context, symbol, emit, stop), signal),
  };
}
