import { z } from 'zod';
import { closedCandles, isIaAgentsError, parseWith, sleep as abortableSleep, systemClock, timeframeSchema, timeframeToMs, type Clock, type Exchange, type MarketEvent, type MarketFeed, type Sleep, type Timeframe } from '@ia-agents/core';
import { CandleSequencer } from './candle-sequencer.js';
import { mergeSymbolLoops } from './live-feed.js';

/** Options of `createPollingFeed`, validated at construction. */
export const pollingFeedOptionsSchema = z.object({
  /** Unified symbols to poll, e.g. `['BTC/USDT']`. */
  symbols: z.array(z.string().min(1)).min(1),
  /** Timeframe of the candles. */
  timeframe: timeframeSchema,
  /**
   * Closed candles of history passed on first, as warm-up (the engine learns from them and trades
   * from the next). @default 200, the engine's default lookback: its first decisions then see the
   * history a backtest's decisions see (`checkWarmup` shows what a trigger needs).
   */
  warmup: z.number().int().min(0).max(10_000).default(200),
  /** Open time of the first candle wanted, UTC ms (instead of `warmup`). */
  since: z.number().int().nonnegative().optional(),
  /** The feed ends once every candle opening before this time has been passed on, UTC ms. */
  until: z.number().int().nonnegative().optional(),
  /** Wait after a candle's close before asking for it (exchanges publish it a moment late). @default 2000 */
  pollDelayMs: z.number().int().min(0).default(2_000),
  /**
   * Wait before asking again when the closed candle is not there yet or a request failed (longer
   * when the exchange's rate limit asked for longer: `details.retryAfterMs`). @default 5000
   */
  retryMs: z.number().int().min(0).default(5_000),
  /** Failed requests in a row before the feed fails. @default 10 */
  maxFailures: z.number().int().min(1).default(10),
});

/** Options of `createPollingFeed`. */
export type PollingFeedOptions = z.input<typeof pollingFeedOptionsSchema> & {
  /** Where candles come from: a `CcxtExchange` (REST `fetchOHLCV`) or any `Exchange`. */
  exchange: Pick<Exchange, 'fetchOHLCV'>;
  /** Time source. @default the system clock */
  clock?: Clock;
  /** Sleeps between polls. @default a timer */
  sleep?: Sleep;
  /** Told about each failed request that will be retried. */
  onError?: (error: unknown, symbol: string) => void;
};

type Settings = z.output<typeof pollingFeedOptionsSchema>;
interface Context { settings: Settings; exchange: Pick<Exchange, 'fetchOHLCV'>; clock: Clock; sleep: Sleep; onError?: ((error: unknown, symbol: string) => void) | undefined }

/** Open time of the first candle to ask for. */
function startTime(settings: Settings, now: number): number {
  if (settings.since !== undefined) return settings.since;
  const length = timeframeToMs(settings.timeframe);
  return Math.floor(now / length) * length - settings.warmup * length;
}

/**
 * Asks for the closed candles from the cursor on; returns the events, whether the newest closed
 * candle arrived, and whether the range is complete (the exchange has candles from `until` on, so
 * any still missing before it are missing for good: a trailing gap, then the end).
 */
async function poll(context: Context, symbol: string, sequencer: CandleSequencer, cursor: number): Promise<{ events: MarketEvent[]; current: boolean; complete: boolean }> {
  const { settings, exchange, clock } = context;
  const now = clock.now();
  const until = settings.until ?? Number.POSITIVE_INFINITY;
  const candles = await exchange.fetchOHLCV(symbol, settings.timeframe, cursor);
  const closed = closedCandles(candles, settings.timeframe, now).filter((candle) => candle.timestamp < until);
  const events = sequencer.accept(closed);
  const length = timeframeToMs(settings.timeframe);
  const complete = candles.some((candle) => candle.timestamp >= until);
  if (complete && sequencer.next !== undefined && sequencer.next < until) {
    events.push({ type: 'gap', symbol, timeframe: settings.timeframe, from: sequencer.next, to: until, missing: Math.round((until - sequencer.next) / length) });
  }
  const newestClosed = Math.floor(now / length) * length - length;
  return { events, current: (sequencer.last ?? -1) >= Math.min(newestClosed, until - length), complete };
}

/** The wait a rate-limited exchange asked for (`CcxtExchange` puts Retry-After in `details.retryAfterMs`), else 0. */
function retryAfterOf(error: unknown): number {
  const asked = isIaAgentsError(error) ? error.details.retryAfterMs : undefined;
  return typeof asked === 'number' && asked > 0 ? asked : 0;
}

async function runSymbol(context: Context, symbol: string, emit: (events: MarketEvent[]) => void, signal: AbortSignal): Promise<void> {
  const { settings, clock, sleep } = context;
  const length = timeframeToMs(settings.timeframe);
  // What had closed when the feed started is warm-up history: learnt from, not acted on.
  const sequencer = new CandleSequencer(symbol, settings.timeframe, undefined, clock.now());
  const first = startTime(settings, clock.now());
  let failures = 0;
  while (!signal.aborted) {
    if (settings.until !== undefined && (sequencer.next ?? first) >= settings.until) return;
    let current = false;
    let retryMs = settings.retryMs;
    try {
      const result = await poll(context, symbol, sequencer, sequencer.next ?? first);
      emit(result.events);
      if (result.complete) return;
      current = result.current;
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures >= settings.maxFailures || (isIaAgentsError(error) && !error.retryable)) throw error;
      context.onError?.(error, symbol);
      retryMs = Math.max(retryMs, retryAfterOf(error));
    }
    if (settings.until !== undefined && (sequencer.next ?? first) >= settings.until) return;
    const now = clock.now();
    await sleep(current ? Math.floor(now / length) * length + length + settings.pollDelayMs - now : retryMs, signal);
  }
}

/**
 * A live feed that polls REST `fetchOHLCV` and passes on CLOSED candles only, once each, in
 * order, with a `gap` event where the exchange has none (also before `until` when the exchange's
 * candles go on past it without those: the feed then ends). It asks again shortly after each candle
 * closes; a request that fails is retried after `retryMs`, or after the exchange's Retry-After when
 * longer (`maxFailures` in a row end the feed with the error).
 * @example
 * const feed = createPollingFeed({ exchange: createCcxtExchange(), symbols: ['BTC/USDT'], timeframe: '1m', warmup: 100 });
 * for await (const event of feed.events({ signal })) if (event.type === 'candles') console.log(event.candles.at(-1));
 */
export function createPollingFeed(options: PollingFeedOptions): MarketFeed {
  const { exchange, clock, sleep, onError, ...rest } = options;
  const settings = parseWith(pollingFeedOptionsSchema, rest, 'polling feed options', 'CONFIG_INVALID');
  const context: Context = { settings, exchange, clock: clock ?? systemClock, sleep: sleep ?? abortableSleep, onError };
  return {
    specificationVersion: 'v1',
    symbols: settings.symbols,
    timeframe: settings.timeframe as Timeframe,
    events: ({ signal } = {}) => mergeSymbolLoops(settings.symbols, (symbol, emit, stop) => runSymbol(context, symbol, emit, stop), signal),
  };
}
