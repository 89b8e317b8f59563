import ccxt from 'ccxt';
import { z } from 'zod';
import { AbortError, parseWith, systemClock, type Candle, type Clock, type ExchangeError, type OrderBook, type Ticker, type Timeframe } from '@ia-agents/core';
import { buildCcxtClient, forgetFailedMarketLoad, type CcxtClient } from './ccxt-client.js';
import { toCandle, toOrderBook, toTicker } from './ccxt-mapping.js';
import { translateCcxtError } from './translate-error.js';
import { backoffDelay, jitterSchema } from '../util/backoff.js';

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

/** A stream's reconnection, as reported to `onReconnect`. */
export interface StreamReconnect {
  /** `watchOHLCV`, `watchTicker` or `watchOrderBook`. */
  operation: string;
  /** Symbol of the stream. */
  symbol: string;
  /** Reconnection number since the last update. */
  attempt: number;
  /** Delay before reconnecting, ms. */
  delayMs: number;
  /** Why the stream dropped. */
  error: ExchangeError;
}

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

const RECONNECTABLE = new Set(['EXCHANGE_NETWORK', 'TIMEOUT', 'EXCHANGE_UNAVAILABLE', 'EXCHANGE_RATE_LIMITED']);
const wait = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** Resolves `promise`, or rejects with an AbortError when `signal` aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new AbortError('stream aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError('stream aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
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
    this.#sleep = sleep ?? wait;
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
    let failures = 0;
    // A function, not a narrowed property: the signal can abort while a watch is pending.
    const aborted = () => signal?.aborted === true;
    while (!aborted()) {
      let value: T;
      try {
        value = await abortable(watch(), signal);
      } catch (error) {
        if (aborted() || error instanceof ccxt.ExchangeClosedByUser) return;
        forgetFailedMarketLoad(this.client);
        const translated = translateCcxtError(error, operation, { symbol });
        if (!RECONNECTABLE.has(translated.code) || failures >= this.#settings.reconnectAttempts) throw translated;
        failures += 1;
        const delayMs = backoffDelay(failures, { baseMs: this.#settings.backoffMs, maxMs: this.#settings.maxBackoffMs, jitter: this.#settings.jitter, random: this.#random });
        this.#onReconnect?.({ operation, symbol, attempt: failures, delayMs, error: translated });
        onResume?.();
        await this.#sleep(delayMs);
        continue;
      }
      failures = 0;
      yield value;
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
