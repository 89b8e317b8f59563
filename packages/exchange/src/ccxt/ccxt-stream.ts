import { z } from 'zod';
import { parseWith, sleep as defaultSleep, systemClock, type Candle, type Clock, type OrderBook, type Ticker, type Timeframe } from '@ia-agents/core';
import { buildCcxtClient, type CcxtClient } from './ccxt-client.js';
import { toCandle, toOrderBook, toTicker } from './ccxt-mapping.js';
import { RESUMED, reconnectingWatch, type StreamReconnect } from './reconnecting-watch.js';
import { jitterSchema } from '../util/backoff.js';

export type { StreamReconnect } from './reconnecting-watch.js';

/** Options of `createCcxtStream`, validated at construction. */
export const ccxtStreamOptionsSchema = z.object({
  /** Any ccxt pro exchange id. @default 'binance' */
  exchangeId: z.string().min(1).default('binance'),
  /** API key (public streams need none). */
  apiKey: z.string().optional(),
  /** API secret. */
  secret: z.string().optional(),
  /** Use the exchange's testnet. @default false */
  sandbox: z.boolean().default(false),
  /** Request timeout of ccxt, ms. @default 10000 */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Reconnections in a row before a stream gives up (any update resets the count). @default 10 */
  reconnectAttempts: z.number().int().min(0).default(10),
  /** First delay before reconnecting, doubled each time up to `maxBackoffMs`, then jittered. @default 500 */
  backoffMs: z.number().int().min(0).default(500),
  /** Longest delay between reconnections (before jitter). @default 30000 */
  maxBackoffMs: z.number().int().min(0).default(30_000),
  /** Share of each reconnection delay that is randomised (see `jitterSchema`). @default 0.5 */
  jitter: jitterSchema,
  /** Extra ccxt options (`options` of the ccxt constructor). @default {} */
  ccxtOptions: z.record(z.string(), z.unknown()).default({}),
});

/** Options of `createCcxtStream`. */
export type CcxtStreamOptions = z.input<typeof ccxtStreamOptionsSchema> & {
  /** A ready ccxt pro client (tests point its urls at local servers). @default built from exchangeId and keys */
  client?: CcxtClient;
  /** Called before each reconnection. */
  onReconnect?: (reconnect: StreamReconnect) => void;
  /** Sleeps between reconnections. @default setTimeout */
  sleep?: (milliseconds: number) => Promise<void>;
  /** Draws the jitter, a float in [0, 1). @default Math.random (a fixed seed would bring every client back at the same moment) */
  random?: () => number;
  /** Time source (stamps order books that carry no time). @default the system clock */
  clock?: Clock;
};

/** One watchOHLCV update: the candles ccxt received since the last one (the forming candle included). */
export interface OhlcvUpdate {
  /** Updated candles, oldest first; the last one is usually still forming. */
  candles: Candle[];
  /** True on the first update after a reconnection: updates in between may have been missed. */
  resumed: boolean;
}

/**
 * Market data streams through ccxt pro's `watchOHLCV`, `watchTicker` and `watchOrderBook`, each an
 * async iterable that reconnects after a drop (network, timeout, exchange unavailable) with
 * exponential backoff, reports each reconnection, and ends when its signal aborts.
 */
export class CcxtStream {
  readonly client: CcxtClient;
  readonly #settings: z.output<typeof ccxtStreamOptionsSchema>;
  readonly #onReconnect: ((reconnect: StreamReconnect) => void) | undefined;
  readonly #sleep: (milliseconds: number) => Promise<void>;
  readonly #random: () => number;
  readonly #clock: Clock;

  constructor(options: CcxtStreamOptions = {}) {
    const { client, onReconnect, sleep, clock, random, ...rest } = options;
    this.#settings = parseWith(ccxtStreamOptionsSchema, rest, 'ccxt stream options', 'CONFIG_INVALID');
    this.client = client ?? buildCcxtClient(this.#settings, { pro: true });
    if (this.client.id === 'binance') {
      // ccxt's default for Binance is the miniTicker stream, which has no bid and ask.
      const options = this.client.options as Record<string, unknown>;
      options.watchTickers = { ...(options.watchTickers as Record<string, unknown> | undefined), name: 'ticker' };
    }
    this.#onReconnect = onReconnect;
    this.#sleep = sleep ?? defaultSleep;
    this.#random = random ?? Math.random;
    this.#clock = clock ?? systemClock;
  }

  /** Candle updates of a symbol (every update, the forming candle included). */
  async *watchOHLCV(symbol: string, timeframe: Timeframe, options: { signal?: AbortSignal } = {}): AsyncGenerator<OhlcvUpdate> {
    let resumed = false;
    for await (const rows of this.#watch('watchOHLCV', symbol, () => this.client.watchOHLCV(symbol, timeframe), options.signal, () => (resumed = true))) {
      yield { candles: (rows as (number | undefined)[][]).map(toCandle), resumed };
      resumed = false;
    }
  }

  /** Ticker updates of a symbol. */
  async *watchTicker(symbol: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Ticker> {
    for await (const ticker of this.#watch('watchTicker', symbol, () => this.client.watchTicker(symbol), options.signal)) yield toTicker({ ...ticker, symbol }, this.#clock.now());
  }

  /** Order book states of a symbol (ccxt keeps the book in sync from the diff stream). */
  async *watchOrderBook(symbol: string, options: { limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<OrderBook> {
    for await (const book of this.#watch('watchOrderBook', symbol, () => this.client.watchOrderBook(symbol, options.limit), options.signal)) {
      const levels = (side: (number | undefined)[][]) => (options.limit === undefined ? side : side.slice(0, options.limit));
      yield toOrderBook(symbol, { timestamp: book.timestamp, bids: levels(book.bids), asks: levels(book.asks) }, this.#clock.now());
    }
  }

  /** Closes every socket of the client. */
  async close(): Promise<void> {
    await this.client.close();
  }

  /** Repeats one ccxt watch call, reconnecting after retryable failures. */
  async *#watch<T>(operation: string, symbol: string, watch: () => Promise<T>, signal: AbortSignal | undefined, onResume?: () => void): AsyncGenerator<T> {
    const policy = { ...this.#settings, random: this.#random, sleep: this.#sleep, onReconnect: this.#onReconnect };
    for await (const value of reconnectingWatch(this.client, operation, symbol, watch, policy, signal)) {
      if (value === RESUMED) onResume?.();
      else yield value;
    }
  }
}

/**
 * Creates market data streams through ccxt pro (Binance by default).
 * @example
 * const stream = createCcxtStream();
 * for await (const { candles } of stream.watchOHLCV('BTC/USDT', '1m', { signal })) console.log(candles.at(-1));
 */
export function createCcxtStream(options: CcxtStreamOptions = {}): CcxtStream {
  return new CcxtStream(options);
}
