import ccxt from 'ccxt';
import { z } from 'zod';
import {
  ExchangeError,
  sleep as defaultSleep,
  ocoRequestSchema,
  orderRequestSchema,
  parseWith,
  systemClock,
  timeframeToMs,
  type Balances,
  type Candle,
  type Clock,
  type Fill,
  type Exchange,
  type MarketInfo,
  type OcoRequest,
  type Order,
  type OrderBook,
  type OrderRequest,
  type OrderUpdate,
  type Ticker,
  type Timeframe,
} from '@ia-agents/core';
import { buildCcxtClient, forgetFailedMarketLoad, quietUnawaitedFutures, type CcxtClient } from './ccxt-client.js';
import { checkMarketRules } from '../paper/order-admission.js';
import { status, toBalances, toCandle, toFill, toMarketInfo, toOrder, toOrderBook, toTicker, type CcxtMarket, type CcxtOrder, type CcxtTrade } from './ccxt-mapping.js';
import { RESUMED, reconnectingWatch, type StreamReconnect } from './reconnecting-watch.js';
import { BINANCE_OCO_METHOD, binanceOcoOrders, binanceOcoParams, checkOcoMarketRules, clientSupportsOco, findOcoLegs, ocoNotSupported, ocoRefusal } from './ccxt-oco.js';
import { captureFailureHeaders, failureHeaders } from './failure-headers.js';
import { formatWait, retryAfterMs } from './retry-after.js';
import { trailingDelta } from './ccxt-trailing.js';
import { isAmbiguous, translateCcxtError } from './translate-error.js';
import { backoffDelay, jitterSchema } from '../util/backoff.js';

/** Options of `createCcxtExchange`, validated at construction. */
/** Empty windows in a row (each twice the last) after which the latest candles' history has begun. */
const EMPTY_WINDOWS = 4;
/** Binance's `myTrades`: at most this many trades a request, spanning at most this long. */
const BINANCE_TRADES_PER_REQUEST = 1000;
const BINANCE_TRADES_SPAN = 86_400_000;

export const ccxtExchangeOptionsSchema = z.object({
  /** Any ccxt exchange id. @default 'binance' */
  exchangeId: z.string().min(1).default('binance'),
  /** API key (trading and balances need one). */
  apiKey: z.string().optional(),
  /** API secret. */
  secret: z.string().optional(),
  /** Use the exchange's testnet. @default false */
  sandbox: z.boolean().default(false),
  /**
   * Base URL that replaces the scheme and host of every REST URL: a mirror or proxy of the
   * exchange's API (e.g. Binance's public market-data host), or a local server in tests.
   * @default the exchange's own
   */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Attempts of a retryable call (network, rate limit, unavailable, timeout). @default 4 */
  attempts: z.number().int().min(1).max(10).default(4),
  /** First backoff delay, doubled at every retry, then jittered. @default 500 */
  backoffMs: z.number().int().min(0).default(500),
  /** Share of each backoff delay that is randomised (see `jitterSchema`); a Retry-After is still waited out in full. @default 0.5 */
  jitter: jitterSchema,
  /**
   * Longest `Retry-After` (sent with a 429 or 418) that is waited out before retrying; a rate limit
   * that asks for longer fails at once (EXCHANGE_RATE_LIMITED, `details.retryAfterMs`). @default 60000
   */
  maxRetryAfterMs: z.number().int().min(0).default(60_000),
  /** Request timeout of ccxt, ms. @default 10000 */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Candles per OHLCV request when paginating. @default 1000 */
  ohlcvPageSize: z.number().int().positive().max(5000).default(1000),
  /** Extra ccxt options (`options` of the ccxt constructor). @default {} */
  ccxtOptions: z.record(z.string(), z.unknown()).default({}),
  /**
   * Follow the account's order updates over the exchange's user-data stream (ccxt pro
   * `watchOrders`; on Binance spot the signed WebSocket API subscription), so that a live engine
   * asks for a stop-loss's fill as soon as it happens rather than at its next poll. Needs keys
   * and an exchange ccxt pro streams; false: fills are only polled. @default true
   */
  orderUpdates: z.boolean().default(true),
  /** Reconnections in a row before the order-update stream gives up (the engine then polls only). @default 10 */
  reconnectAttempts: z.number().int().min(0).default(10),
  /** Longest delay between reconnections of the order-update stream (before jitter). @default 30000 */
  maxBackoffMs: z.number().int().min(0).default(30_000),
});


/** Options of `createCcxtExchange`. */
export type CcxtExchangeOptions = z.input<typeof ccxtExchangeOptionsSchema> & {
  /** A ready ccxt client (tests point its urls at a local server). @default built from exchangeId and keys */
  client?: CcxtClient;
  /** Sleeps between retries. @default setTimeout */
  sleep?: (milliseconds: number) => Promise<void>;
  /** Draws the jitter, a float in [0, 1). @default Math.random (a fixed seed would bring every client back at the same moment) */
  random?: () => number;
  /** Time source. @default the system clock */
  clock?: Clock;
  /** Called before each reconnection of the order-update stream. */
  onReconnect?: (reconnect: StreamReconnect) => void;
};


/**
 * A live exchange through ccxt (Binance by default). Errors are translated in one place, retryable
 * failures retried with backoff (at least the Retry-After of a rate limit, up to `maxRetryAfterMs`), amounts and prices rounded to the market's precision and checked
 * against its minimums before sending, and an order (or OCO) whose outcome is unknown is looked up
 * by client order id instead of being sent again.
 */
export class CcxtExchange implements Exchange {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly client: CcxtClient;
  /**
   * Whether `createOcoOrder` places a native one-cancels-the-other order: true for Binance (spot,
   * `POST /api/v3/orderList/oco`), false for every other ccxt exchange, where `createOcoOrder` fails
   * with NOT_SUPPORTED and sends nothing. Read it before protecting a position: without OCO, a
   * stop-loss and a take-profit placed apart each reserve the whole holding and the second is refused.
   */
  readonly supportsOco: boolean;
  /**
   * Whether `watchOrderUpdates` streams: `orderUpdates` is on, the client is a ccxt pro client
   * whose exchange has `watchOrders`, and it holds an API key.
   */
  readonly supportsOrderUpdates: boolean;
  readonly #onReconnect: ((reconnect: StreamReconnect) => void) | undefined;
  /** ccxt `watchOrders` calls not settled yet (see `close`). */
  readonly #watching = new Set<Promise<unknown>>();
  readonly #settings: z.output<typeof ccxtExchangeOptionsSchema>;
  readonly #sleep: (milliseconds: number) => Promise<void>;
  readonly #random: () => number;
  readonly #clock: Clock;
  readonly #placed = new Map<string, Order>();
  /** Client order id of each OCO stop-loss placed here -> that of its take-profit. */
  readonly #ocoPartners = new Map<string, string>();

  constructor(options: CcxtExchangeOptions = {}) {
    const { client, sleep, clock, random, onReconnect, ...rest } = options;
    this.#settings = parseWith(ccxtExchangeOptionsSchema, rest, 'ccxt exchange options', 'CONFIG_INVALID');
    // The pro client where ccxt pro has the exchange: the same REST calls, and the user-data stream.
    this.client = client ?? buildCcxtClient(this.#settings, { pro: this.#settings.exchangeId in ccxt.pro });
    captureFailureHeaders(this.client);
    allowOpenOrdersOfEverySymbol(this.client);
    this.id = this.client.id;
    this.supportsOco = clientSupportsOco(this.client);
    this.supportsOrderUpdates = this.#settings.orderUpdates && this.client.has.watchOrders === true && typeof (this.client as Partial<WatchingClient>).watchOrders === 'function' && Boolean(this.client.apiKey);
    if (this.supportsOrderUpdates) quietUnawaitedFutures(this.client);
    this.#onReconnect = onReconnect;
    this.#sleep = sleep ?? defaultSleep;
    this.#random = random ?? Math.random;
    this.#clock = clock ?? systemClock;
  }


  /**
   * Runs a call, translating errors and retrying the retryable ones with exponential backoff, or
   * after the exchange's Retry-After when that is longer.
   */
  async #call<T>(operation: string, run: () => Promise<T>, details: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (await this.#recovered(error, attempt)) continue;
        const translated = this.#translate(error, operation, details);
        if (!this.#mayRetry(translated, attempt)) throw translated;
        await this.#sleep(this.#retryDelay(translated, attempt));
      }
    }
  }

  /**
   * What a failed call leaves to mend before the next: a failed market load is forgotten (ccxt would
   * hand it to every later call). And when the exchange refused a signed request for its timestamp
   * (Binance -1021: this machine's clock is off by more than the request's window), the clock
   * difference is measured again (ccxt then signs with the exchange's time) and true is returned when
   * an attempt is left to send it again: the refused request did nothing, so nothing can double.
   */
  async #recovered(error: unknown, attempt: number): Promise<boolean> {
    forgetFailedMarketLoad(this.client);
    if (!(error instanceof ccxt.InvalidNonce) || attempt >= this.#settings.attempts) return false;
    try {
      await this.client.loadTimeDifference();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * translateCcxtError, plus the wait a rate-limited response asked for: its Retry-After, read from
   * the headers of that very response (`failureHeaders`), never from the client's latest ones,
   * which a concurrent request's answer may have replaced.
   */
  #translate(error: unknown, operation: string, details: Record<string, unknown>): ExchangeError {
    const translated = translateCcxtError(error, operation, details);
    if (translated.code !== 'EXCHANGE_RATE_LIMITED' || translated.details.retryAfterMs !== undefined) return translated;
    const waitMs = retryAfterMs(failureHeaders(translated.cause), this.#clock.now());
    if (waitMs === undefined) return translated;
    const max = this.#settings.maxRetryAfterMs;
    const asked = `${this.id} asks to wait ${formatWait(waitMs)} (Retry-After)`;
    const message = waitMs > max ? `${translated.message}; ${asked}, longer than maxRetryAfterMs (${formatWait(max)}): not retrying` : `${translated.message}; ${asked}`;
    return new ExchangeError('EXCHANGE_RATE_LIMITED', message, { cause: translated.cause, details: { ...translated.details, retryAfterMs: waitMs } });
  }

  /** Whether another attempt may follow: retryable, attempts left, and any Retry-After within the cap. */
  #mayRetry(error: ExchangeError, attempt: number): boolean {
    const asked = error.details.retryAfterMs;
    return error.retryable && attempt < this.#settings.attempts && !(typeof asked === 'number' && asked > this.#settings.maxRetryAfterMs);
  }

  /** The (jittered) backoff of this attempt, or the exchange's Retry-After when longer. */
  #retryDelay(error: ExchangeError, attempt: number): number {
    const backoff = backoffDelay(attempt, { baseMs: this.#settings.backoffMs, jitter: this.#settings.jitter, random: this.#random });
    const asked = error.details.retryAfterMs;
    return typeof asked === 'number' ? Math.max(backoff, asked) : backoff;
  }

  async #market(symbol: string): Promise<CcxtMarket> {
    await this.#call('loadMarkets', () => this.client.loadMarkets());
    const market = (this.client.markets as Record<string, CcxtMarket | undefined> | undefined)?.[symbol];
    if (market === undefined) throw new ExchangeError('MARKET_NOT_FOUND', `${this.id} has no market ${symbol}`, { details: { symbol } });
    return market;
  }

  /** Market rules (steps and minimums) of a symbol. */
  async fetchMarket(symbol: string): Promise<MarketInfo> {
    return toMarketInfo(await this.#market(symbol));
  }

  /** Balances with anything in them. */
  async fetchBalance(): Promise<Balances> {
    return toBalances((await this.#call('fetchBalance', () => this.client.fetchBalance())) as unknown as Record<string, unknown>);
  }

  /** Latest ticker. */
  async fetchTicker(symbol: string): Promise<Ticker> {
    const ticker = await this.#call('fetchTicker', () => this.client.fetchTicker(symbol), { symbol });
    return toTicker({ ...ticker, symbol }, this.#clock.now());
  }

  /** Current order book. */
  async fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
    return toOrderBook(symbol, await this.#call('fetchOrderBook', () => this.client.fetchOrderBook(symbol, limit), { symbol }), this.#clock.now());
  }

  /**
   * Candles from `since`, paginated (`ohlcvPageSize` a request) until `limit` candles, the present
   * (the candle still forming) or the end of the exchange's history. Without `since`, the latest
   * `limit` candles (`ohlcvPageSize` when no limit is given): the latest page, then the pages before
   * it until there are enough (exchanges cap a request at 1000 candles or fewer).
   */
  async fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    if (since !== undefined) return this.#forward(symbol, timeframe, since, limit, Number.POSITIVE_INFINITY);
    const wanted = limit ?? this.#settings.ohlcvPageSize;
    const length = timeframeToMs(timeframe);
    let candles = (await this.#page(symbol, timeframe, undefined, Math.min(this.#settings.ohlcvPageSize, wanted))).map(toCandle);
    // Windows before the oldest candle, each just long enough for what is missing; a window with no
    // candle (the exchange was down) is widened, and after EMPTY_WINDOWS of them in a row the history
    // has begun.
    let empty = 0;
    let windowEnd = candles[0]?.timestamp ?? Number.NaN;
    while (candles.length > 0 && candles.length < wanted && empty < EMPTY_WINDOWS) {
      const start = windowEnd - (wanted - candles.length) * length * 2 ** empty;
      const earlier = await this.#forward(symbol, timeframe, start, undefined, windowEnd);
      if (earlier.length === 0) {
        empty += 1;
        windowEnd = start;
        continue;
      }
      empty = 0;
      candles = [...earlier, ...candles];
      windowEnd = candles[0]!.timestamp;
    }
    return candles.slice(-wanted);
  }

  /** Candles from `since` until `limit` candles, the present, the end of the history or (excluded) `before`. */
  async #forward(symbol: string, timeframe: Timeframe, since: number, limit: number | undefined, before: number): Promise<Candle[]> {
    const page = this.#settings.ohlcvPageSize;
    const length = timeframeToMs(timeframe);
    const candles: Candle[] = [];
    let cursor = since;
    while (limit === undefined || candles.length < limit) {
      const rows = await this.#page(symbol, timeframe, cursor, Math.min(page, limit === undefined ? page : limit - candles.length));
      const fresh = rows.map(toCandle).filter((candle) => candle.timestamp >= cursor && candle.timestamp < before);
      candles.push(...fresh);
      // A short page proves nothing: exchanges cap pages below what was asked (Binance 1000,
      // Coinbase and OKX 300). Only an empty page, the present or `before` ends the history.
      if (fresh.length === 0 || fresh.at(-1)!.timestamp + length > this.#clock.now() || fresh.at(-1)!.timestamp + length >= before) break;
      cursor = fresh.at(-1)!.timestamp + 1;
    }
    return limit === undefined ? candles : candles.slice(0, limit);
  }

  async #page(symbol: string, timeframe: Timeframe, since: number | undefined, limit: number): Promise<(number | undefined)[][]> {
    return this.#call('fetchOHLCV', () => this.client.fetchOHLCV(symbol, timeframe, since, limit), { symbol, timeframe, since }) as Promise<(number | undefined)[][]>;
  }

  /**
   * Places an order once. The same clientOrderId returns the known order; a send whose outcome is
   * unknown (connection dropped, timeout, 5xx) is resolved by looking the order up by client order
   * id, and resent only when the exchange confirms it never saw it.
   */
  async createOrder(input: OrderRequest): Promise<Order> {
    const request = parseWith(orderRequestSchema, input, 'order request');
    const known = this.#placed.get(request.clientOrderId) ?? (await this.#lookUpBeforeSending(request));
    if (known !== undefined) return this.#remember(known);
    const market = await this.#market(request.symbol);
    const ticker = request.type === 'market' && market.limits.cost?.min !== undefined ? await this.fetchTicker(request.symbol) : undefined;
    const rounded = checkMarketRules(toMarketInfo(market), request, ticker?.last ?? Number.NaN);
    const trailing = request.type === 'trailing-stop' ? trailingDelta(this.id, market, rounded) : undefined;
    const order = await this.#placeOnce(
      'createOrder',
      { clientOrderId: request.clientOrderId, symbol: request.symbol },
      async () => toOrder((await this.#send(rounded, trailing)) as CcxtOrder, this.#fallback(rounded)),
      (cause) => this.#lookUpAfterUnknownOutcome(rounded, cause),
    );
    return this.#remember(order);
  }

  /**
   * Sends a placement until it is answered, retrying what may succeed. After an ambiguous failure
   * (connection dropped, timeout, 5xx: the request may have reached the exchange) `lookUp` runs
   * first: what it finds is returned; only when it finds nothing is the request sent again.
   */
  async #placeOnce<T>(operation: string, details: Record<string, unknown>, send: () => Promise<T>, lookUp: (cause: ExchangeError) => Promise<T | undefined>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (await this.#recovered(error, attempt)) continue;
        const translated = this.#translate(error, operation, details);
        if (!translated.retryable) throw translated;
        const found = isAmbiguous(translated) ? await lookUp(translated) : undefined;
        if (found !== undefined) return found;
        if (!this.#mayRetry(translated, attempt)) throw translated;
        await this.#sleep(this.#retryDelay(translated, attempt));
      }
    }
  }

  /**
   * Before a first send: an order placed earlier with this client order id (by a process that has
   * since restarted, say) is returned, not placed again. When the exchange cannot answer now
   * (network, timeout, unavailable, rate limit) nothing is sent, since the order might exist; when
   * it cannot look orders up by client id at all, its own duplicate check is what remains.
   */
  async #lookUpBeforeSending(request: OrderRequest): Promise<Order | undefined> {
    try {
      return await this.fetchOrderByClientId(request.clientOrderId, request.symbol);
    } catch (error) {
      if (error instanceof ExchangeError && error.retryable) throw error;
      return undefined;
    }
  }

  #fallback(request: OrderRequest): Partial<Order> {
    const now = this.#clock.now();
    return { clientOrderId: request.clientOrderId, type: request.type, amount: request.amount, createdAt: now, ...(request.decisionId === undefined ? {} : { decisionId: request.decisionId }) };
  }

  #remember(order: Order): Order {
    this.#placed.set(order.clientOrderId, order);
    return order;
  }

  /** Sends a checked request; a trailing stop carries its `trailingDelta` (BIPS, see `trailingDelta`). */
  async #send(request: OrderRequest, trailing?: number): Promise<unknown> {
    const params: Record<string, unknown> = { clientOrderId: request.clientOrderId };
    if (request.type === 'trailing-stop') {
      // Binance's own type, so that ccxt sends it as it is; the delta goes as Binance names it (ccxt's
      // `trailingPercent` param would be sent as a decimal it multiplied by 100).
      params.trailingDelta = trailing;
      return this.client.createOrder(request.symbol, request.price === undefined ? 'STOP_LOSS' : 'STOP_LOSS_LIMIT', request.side, request.amount, request.price, params);
    }
    if (request.type === 'stop-loss') params.stopLossPrice = request.stopPrice;
    if (request.type === 'take-profit') params.takeProfitPrice = request.stopPrice;
    // ccxt sends it as the exchange's own post-only type (Binance spot: LIMIT_MAKER).
    if (request.postOnly === true) params.postOnly = true;
    const type = request.type === 'market' || (request.price === undefined && request.type !== 'limit') ? 'market' : 'limit';
    return this.client.createOrder(request.symbol, type, request.side, request.amount, request.price, params);
  }

  /**
   * After an ambiguous failure: the order may exist. Returns it when found; undefined when the
   * exchange says it does not exist (safe to send again); throws ORDER_STATE_UNKNOWN when even the
   * lookup cannot tell.
   */
  async #lookUpAfterUnknownOutcome(request: OrderRequest, cause: ExchangeError): Promise<Order | undefined> {
    try {
      return await this.fetchOrderByClientId(request.clientOrderId, request.symbol);
    } catch (error) {
      throw new ExchangeError('ORDER_STATE_UNKNOWN', `createOrder ${request.clientOrderId}: the send failed (${cause.message}) and the order could not be looked up; not resending`, { cause: error, details: { clientOrderId: request.clientOrderId, symbol: request.symbol } });
    }
  }

  /**
   * Places a stop-loss and a take-profit on one holding as one-cancels-the-other (Binance's order
   * list OCO): the holding is reserved once for both legs, and when one fills Binance expires the
   * other. Returns `[stopLoss, takeProfit]`. Validated (VALIDATION_FAILED naming the field), rounded
   * to the market's steps and checked against its minimums before sending; retried like
   * `createOrder`; the same two client order ids return the same two orders (looked up on the
   * exchange first, so a restart does not place a second list); after an ambiguous failure the legs
   * are looked up by client order id and the list is sent again only when the exchange never saw it.
   * Fails with NOT_SUPPORTED, sending nothing, where `supportsOco` is false or the market takes no OCO.
   */
  async createOcoOrder(input: OcoRequest): Promise<[Order, Order]> {
    const request = parseWith(ocoRequestSchema, input, 'OCO order request');
    if (!this.supportsOco) throw ocoNotSupported(this.id, request, `${this.id} has no one-cancels-the-other order through this adapter (supportsOco is false)`);
    const known = this.#placedOco(request) ?? (await this.#findOco(request));
    if (known !== undefined) return this.#rememberOco(known);
    const market = await this.#market(request.symbol);
    const refusal = ocoRefusal(market);
    if (refusal !== undefined) throw ocoNotSupported(this.id, request, refusal);
    const rounded = checkOcoMarketRules(toMarketInfo(market), request);
    const legs = await this.#placeOnce(
      'createOcoOrder',
      { clientOrderId: rounded.stopLoss.clientOrderId, takeProfitClientOrderId: rounded.takeProfit.clientOrderId, symbol: rounded.symbol },
      async () => binanceOcoOrders(this.client, await this.#sendOco(market, rounded), market, rounded, this.#clock.now()),
      (cause) => this.#lookUpOcoAfterUnknownOutcome(rounded, cause),
    );
    return this.#rememberOco(legs);
  }

  async #sendOco(market: CcxtMarket, request: OcoRequest): Promise<unknown> {
    const send = (this.client as unknown as Record<string, (params: Record<string, string>) => Promise<unknown>>)[BINANCE_OCO_METHOD]!;
    return send.call(this.client, binanceOcoParams(this.client, market, request));
  }

  /** Both legs, when this instance placed this very OCO. */
  #placedOco(request: OcoRequest): [Order, Order] | undefined {
    if (this.#ocoPartners.get(request.stopLoss.clientOrderId) !== request.takeProfit.clientOrderId) return undefined;
    const stopLoss = this.#placed.get(request.stopLoss.clientOrderId);
    const takeProfit = this.#placed.get(request.takeProfit.clientOrderId);
    return stopLoss === undefined || takeProfit === undefined ? undefined : [stopLoss, takeProfit];
  }

  #rememberOco([stopLoss, takeProfit]: [Order, Order]): [Order, Order] {
    this.#ocoPartners.set(stopLoss.clientOrderId, takeProfit.clientOrderId);
    return [this.#remember(stopLoss), this.#remember(takeProfit)];
  }

  /** Both legs of an OCO on the exchange, by client order id (`findOcoLegs`). */
  async #findOco(request: OcoRequest): Promise<[Order, Order] | undefined> {
    return findOcoLegs(request, (clientOrderId) => this.#fetchByClientId(clientOrderId, request.symbol), (clientOrderId) => this.#placed.get(clientOrderId));
  }

  /** After an ambiguous failure: the legs when found, undefined when never placed, ORDER_STATE_UNKNOWN when the lookup cannot tell. */
  async #lookUpOcoAfterUnknownOutcome(request: OcoRequest, cause: ExchangeError): Promise<[Order, Order] | undefined> {
    try {
      return await this.#findOco(request);
    } catch (error) {
      if (error instanceof ExchangeError && error.code === 'INVALID_ORDER') throw error;
      throw new ExchangeError('ORDER_STATE_UNKNOWN', `createOcoOrder ${request.stopLoss.clientOrderId}/${request.takeProfit.clientOrderId}: the send failed (${cause.message}) and the legs could not be looked up; not resending`, { cause: error, details: { clientOrderId: request.stopLoss.clientOrderId, takeProfitClientOrderId: request.takeProfit.clientOrderId, symbol: request.symbol } });
    }
  }

  /** Cancels an order. */
  /**
   * Cancels an open order; one that is not open (cancelled, filled, unknown) is ORDER_NOT_FOUND.
   * A cancel whose answer was lost (a timeout, a dropped connection) is sent again, and the exchange
   * answers that retry with ORDER_NOT_FOUND (Binance -2011) when the first went through: the order
   * is then looked up, and cancelled, it is the answer.
   */
  async cancelOrder(orderId: string, symbol: string): Promise<Order> {
    let sends = 0;
    try {
      const order = await this.#call('cancelOrder', () => (sends++, this.client.cancelOrder(orderId, symbol)), { orderId, symbol });
      return toOrder(order as unknown as CcxtOrder, { status: 'cancelled' });
    } catch (error) {
      if (!(sends > 1 && error instanceof ExchangeError && error.code === 'ORDER_NOT_FOUND')) throw error;
      const current = await this.fetchOrder(orderId, symbol).catch(() => undefined);
      if (current?.status === 'cancelled') return current;
      throw error;
    }
  }

  /** Looks an order up by exchange id. */
  async fetchOrder(orderId: string, symbol: string): Promise<Order> {
    const order = await this.#call('fetchOrder', () => this.client.fetchOrder(orderId, symbol), { orderId, symbol });
    return toOrder(order as unknown as CcxtOrder, this.#placedById(orderId));
  }

  #placedById(orderId: string): Partial<Order> {
    for (const order of this.#placed.values()) if (order.id === orderId) return order;
    return {};
  }

  /**
   * Looks an order up by client order id (ccxt's unified `clientOrderId` parameter of `fetchOrder`:
   * Binance's `origClientOrderId`); undefined when the exchange never saw it.
   */
  async fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<Order | undefined> {
    const found = await this.#fetchByClientId(clientOrderId, symbol);
    return found === undefined ? undefined : toOrder(found, this.#placed.get(clientOrderId) ?? {});
  }

  /** ccxt's order (raw exchange answer in `info`) by client order id; undefined when the exchange never saw it. */
  async #fetchByClientId(clientOrderId: string, symbol: string): Promise<CcxtOrder | undefined> {
    try {
      return (await this.#call('fetchOrder', () => this.client.fetchOrder('', symbol, { clientOrderId }), { clientOrderId, symbol })) as unknown as CcxtOrder;
    } catch (error) {
      if (error instanceof ExchangeError && error.code === 'ORDER_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * Our fills (ccxt `fetchMyTrades`) of a symbol since a time. Trades carry only the exchange's
   * order id: the client order id comes from the orders placed here, else from one order lookup
   * (remembered). Binance needs the symbol.
   */
  async fetchFills(symbol?: string, since?: number): Promise<Fill[]> {
    const trades = symbol !== undefined && since !== undefined && this.id === 'binance' ? await this.#binanceTradesSince(symbol, since) : ((await this.#call('fetchMyTrades', () => this.client.fetchMyTrades(symbol, since), { symbol, since })) as unknown as CcxtTrade[]);
    const fills: Fill[] = [];
    for (const trade of trades) {
      const market = await this.#market(String(trade.symbol));
      fills.push(toFill(trade, await this.#clientOrderIdOf(String(trade.order), market.symbol), market.quote));
    }
    return fills;
  }

  /**
   * Every trade of a symbol since a time on Binance, which answers at most 1000 trades a request
   * and spans at most 24 hours (a start alone is read as the 24 hours after it): asked in one
   * request, the trades of a stop-loss that rested for three days were never seen. Since less than
   * a day ago: one window from `since` (continued when full). Longer ago: the latest 1000 trades
   * first, which reach back to `since` in the usual case; else windows of a day from `since` on, a
   * full answer continued from its last trade's time.
   */
  async #binanceTradesSince(symbol: string, since: number): Promise<CcxtTrade[]> {
    const now = this.#clock.now();
    // Within the last day (a just-placed order, a poll since the last one), one window from `since` holds them.
    let latest: CcxtTrade[] = [];
    if (now - since >= BINANCE_TRADES_SPAN) {
      latest = (await this.#call('fetchMyTrades', () => this.client.fetchMyTrades(symbol, undefined, BINANCE_TRADES_PER_REQUEST), { symbol })) as unknown as CcxtTrade[];
      const oldest = latest[0]?.timestamp;
      if (latest.length < BINANCE_TRADES_PER_REQUEST || (typeof oldest === 'number' && oldest <= since)) {
        return latest.filter((trade) => typeof trade.timestamp === 'number' && trade.timestamp >= since);
      }
    }
    const trades = new Map<string, CcxtTrade>();
    let cursor = since;
    // At least one window, and windows up to now.
    do {
      const end = cursor + BINANCE_TRADES_SPAN - 1;
      const from = cursor;
      const page = (await this.#call('fetchMyTrades', () => this.client.fetchMyTrades(symbol, from, BINANCE_TRADES_PER_REQUEST, { endTime: end }), { symbol, since: from })) as unknown as CcxtTrade[];
      for (const trade of page) trades.set(String(trade.id), trade);
      // A full answer may hide more in the same window: go on from its last trade (repeats are dropped by id).
      const last = page.at(-1)?.timestamp;
      cursor = page.length >= BINANCE_TRADES_PER_REQUEST && typeof last === 'number' && last > from ? last : end + 1;
    } while (cursor <= now);
    // Trades newer than the windows reached (a clock behind Binance's): the latest answer has them.
    for (const trade of latest) trades.set(String(trade.id), trade);
    return [...trades.values()].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  }

  async #clientOrderIdOf(orderId: string, symbol: string): Promise<string> {
    const known = this.#placedById(orderId).clientOrderId;
    if (known !== undefined) return known;
    const order = await this.fetchOrder(orderId, symbol);
    this.#remember(order);
    return order.clientOrderId;
  }

  /**
   * The account's order updates from ccxt pro's `watchOrders`, one per order change, reconnecting
   * after a drop (with backoff, `reconnectAttempts` in a row at most). After each reconnection's
   * backoff, as it subscribes again, comes `{ resumed: true }`: changes in between may be lost.
   * Ends when `signal` aborts or `close()` is called. NOT_SUPPORTED where `supportsOrderUpdates`
   * is false.
   */
  async *watchOrderUpdates(options: { signal: AbortSignal }): AsyncGenerator<OrderUpdate> {
    if (!this.supportsOrderUpdates) throw new ExchangeError('NOT_SUPPORTED', `${this.id}: no order-update stream through this adapter (needs ccxt pro's watchOrders, keys and orderUpdates on)`, { details: { exchangeId: this.id } });
    const client = this.client as unknown as WatchingClient;
    const policy = { ...this.#settings, random: this.#random, sleep: this.#sleep, onReconnect: this.#onReconnect };
    const watch = () => {
      const pending = client.watchOrders();
      this.#watching.add(pending);
      const settled = () => void this.#watching.delete(pending);
      pending.then(settled, settled);
      return pending;
    };
    for await (const orders of reconnectingWatch(this.client, 'watchOrders', '', watch, policy, options.signal)) {
      if (orders === RESUMED) {
        yield { resumed: true };
        continue;
      }
      for (const order of orders) {
        const update: OrderUpdate = { ...(order.clientOrderId === undefined ? {} : { clientOrderId: order.clientOrderId }), symbol: order.symbol, status: status(order), resumed: false };
        const fill = await this.#tradeOf(order);
        if (fill !== undefined) update.fill = fill;
        const reported = this.#orderOf(order);
        if (reported !== undefined) update.order = reported;
        yield update;
      }
    }
  }

  /**
   * The trade an order update reports, where the update carries one (Binance spot: an
   * executionReport of a trade), parsed by ccxt as `fetchMyTrades` parses the same trade (the same
   * id, price, amount and fee), so that the engine records it without asking for it.
   */
  async #tradeOf(order: CcxtOrder): Promise<Fill | undefined> {
    const info = order.info as { e?: unknown; x?: unknown } | undefined;
    const parse = (this.client as unknown as { parseWsTrade?: (raw: unknown) => CcxtTrade }).parseWsTrade;
    if (info?.e !== 'executionReport' || info.x !== 'TRADE' || typeof parse !== 'function' || order.clientOrderId === undefined) return undefined;
    const trade = parse.call(this.client, info);
    return toFill(trade, order.clientOrderId, (await this.#market(order.symbol)).quote);
  }

  /**
   * The order an update states whole (Binance spot: an executionReport), as fetchOrderByClientId
   * returns it: the same mapping, without the fee (an executionReport states the last trade's
   * commission, where the order read over REST states none).
   */
  #orderOf(order: CcxtOrder): Order | undefined {
    const info = order.info as { e?: unknown } | undefined;
    if (info?.e !== 'executionReport' || order.clientOrderId === undefined) return undefined;
    const { fee: _fee, ...reported } = toOrder(order, this.#placed.get(order.clientOrderId) ?? {});
    return reported;
  }

  /**
   * Closes the client's sockets (the order-update stream); REST calls still work afterwards. A
   * `watchOrders` that was between its subscription and its wait when the sockets closed opens a
   * socket again as it goes on: its sockets are closed until every such call has settled.
   */
  async close(): Promise<void> {
    await this.client.close();
    while (this.#watching.size > 0) {
      await Promise.race([Promise.allSettled(this.#watching), new Promise((resolve) => setTimeout(resolve, 20))]);
      await this.client.close();
    }
  }

  /** Open orders of one symbol (or all, where the exchange allows it). */
  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    const orders = await this.#call('fetchOpenOrders', () => this.client.fetchOpenOrders(symbol), { symbol });
    return (orders as unknown as CcxtOrder[]).map((order) => toOrder(order, this.#placed.get(order.clientOrderId ?? '') ?? {}));
  }
}

/** A ccxt pro client's `watchOrders` (the REST client has none). */
interface WatchingClient {
  watchOrders(): Promise<CcxtOrder[]>;
}

/**
 * `fetchOpenOrders()` without a symbol is part of the Exchange contract (the engine counts the
 * account's open orders for the risk gate and takes them over after a restart), but ccxt's Binance
 * refuses it unless told the caller accepts its weight (Binance counts 80 instead of 6). The
 * adapter accepts it for its client: every live decision failed there before the order was sent.
 */
function allowOpenOrdersOfEverySymbol(client: CcxtClient): void {
  const options = client.options as Record<string, unknown>;
  const openOrders = (options.fetchOpenOrders ?? {}) as Record<string, unknown>;
  options.fetchOpenOrders = { ...openOrders, warnWithoutSymbol: false };
}

/**
 * Creates a live exchange through ccxt.
 * @example
 * const binance = createCcxtExchange({ apiKey: process.env.BINANCE_KEY, secret: process.env.BINANCE_SECRET, sandbox: true });
 * const candles = await binance.fetchOHLCV('BTC/USDT', '1h', Date.UTC(2024, 0, 1), 5000);
 */
export function createCcxtExchange(options: CcxtExchangeOptions = {}): CcxtExchange {
  return new CcxtExchange(options);
}
