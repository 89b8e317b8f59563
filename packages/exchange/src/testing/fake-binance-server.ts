import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timeframeToMs, type Candle, type OrderBook } from '@ia-agents/core';
import { BINANCE_SPOT_EXCHANGE_INFO } from './binance-exchange-info.js';

/** A fault the fake server injects on the next matching request (after letting `after` of them through). */
export type Fault = { after?: number } & (
  /** Answers with this status, body and extra headers (e.g. Binance's `Retry-After` on 429 and 418). */
  | { path: string; method?: string; kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { path: string; method?: string; kind: 'binance-error'; code: number; msg: string }
  | { path: string; method?: string; kind: 'hang' }
  /** Executes the request, then destroys the connection before answering (the ambiguous case). */
  | { path: string; method?: string; kind: 'drop-after-accept' }
  /** Executes the request, then never answers (the client times out: ambiguous too). */
  | { path: string; method?: string; kind: 'hang-after-accept' }
);

/** A request the fake server received. */
export interface FakeBinanceRequest {
  method: string;
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  /** Raw body. */
  body: string;
  /** Query and body parameters together. */
  params: Record<string, string>;
}

/** A candle as Binance's 12-field kline array (numbers as strings, as the API sends them). */
export function toKline(candle: Candle, lengthMs: number): (string | number)[] {
  const text = (value: number) => value.toFixed(8);
  return [candle.timestamp, text(candle.open), text(candle.high), text(candle.low), text(candle.close), text(candle.volume), candle.timestamp + lengthMs - 1, text(candle.volume * candle.close), 100, text(candle.volume / 2), text((candle.volume / 2) * candle.close), '0'];
}

export interface FakeOrder {
  symbol: string; orderId: number; orderListId: number; clientOrderId: string; price: string; origQty: string; executedQty: string; cummulativeQuoteQty: string;
  status: string; timeInForce: string; type: string; side: string; stopPrice: string; icebergQty: string; time: number; updateTime: number; isWorking: boolean;
  workingTime: number; origQuoteOrderQty: string; selfTradePreventionMode: string;
  /** A trailing stop's distance (BIPS) and the best trade price since it was placed (Binance sends only the delta). */
  trailingDelta?: number;
}

/** Best trade price of each trailing stop since placing (kept out of the order: Binance does not send it). */
const TRAILING_EXTREME = new WeakMap<FakeOrder, number>();
/** USDT a trailing buy locked (it has no stop price to reckon it from). */
const TRAILING_RESERVE = new WeakMap<FakeOrder, number>();

/** USDT an open buy locked: at its stop price, else its limit price, else what a trailing buy reserved. */
function reservedQuote(order: FakeOrder): number {
  const reference = Number(order.stopPrice) > 0 ? Number(order.stopPrice) : Number(order.price);
  return TRAILING_RESERVE.get(order) ?? Number(order.origQty) * reference;
}

/** What happened to an order, as Binance's executionReport says it (`x`). */
export type FakeExecution = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED';

/** An order list (one-cancels-the-other) as the fake keeps it: its legs are in `orders`. */
export interface FakeOrderList {
  orderListId: number;
  listClientOrderId: string;
  symbol: string;
  /** Order ids of the legs: the stop-loss (below) first, the take-profit (above) second, as Binance lists them. */
  orderIds: number[];
}

const INSUFFICIENT = [400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }] as const;

/**
 * A local HTTP server speaking the part of Binance's spot REST API that the adapter uses
 * (exchangeInfo, ticker, account, order create/query/cancel, openOrders, orderList/oco) with a tiny
 * matching engine: market orders fill at `price`, limit and stop orders rest and lock funds, an OCO
 * locks its holding once for both legs, and `tradeAt` moves the price, filling the stop orders it
 * triggers and expiring the other leg of an OCO. Faults can be queued.
 */
export class FakeBinance {
  /** Every request: method, path, raw query string and body, and both parsed together. */
  readonly requests: FakeBinanceRequest[] = [];
  /** Recorded bodies to answer instead of the simulation, by `METHOD /path` (each used once). */
  readonly responses = new Map<string, unknown[]>();
  /** Klines by `SYMBOL interval` (e.g. `BTCUSDT 1m`), oldest first; `now` hides the future. */
  readonly klines = new Map<string, Candle[]>();
  /** Order book by Binance symbol. */
  readonly books = new Map<string, Pick<OrderBook, 'bids' | 'asks'>>();
  /** `lastUpdateId` of the depth snapshots (diff-depth streams continue from it). */
  bookUpdateId = 1000;
  /** Server time, UTC ms: klines opening after it are not served. @default Infinity */
  now = Number.POSITIVE_INFINITY;
  /** Most klines one request returns, whatever `limit` asks (Binance: 1000). @default 1000 */
  klinesPerRequest = 1000;
  /** Most trades one `myTrades` request returns, whatever `limit` asks (Binance: 1000). @default 1000 */
  tradesPerRequest = 1000;
  /**
   * Time stamped on orders placed, filled and cancelled from now on (UTC ms), as Binance's clock;
   * undefined: a fixed time that counts up with the order ids.
   */
  orderTime: number | undefined = undefined;
  /**
   * How far Binance's clock is from this machine's (ms; positive: ahead). When set, signed requests
   * whose `timestamp` is more than 1 s ahead of Binance's time, or older than their `recvWindow`
   * (default 5 s), are refused with -1021, as Binance does; `GET /api/v3/time` tells its time.
   */
  clockOffsetMs: number | undefined = undefined;
  readonly faults: Fault[] = [];
  readonly orders: FakeOrder[] = [];
  /** OCO order lists placed through `POST /api/v3/orderList/oco`. */
  readonly orderLists: FakeOrderList[] = [];
  balances: Record<string, { free: number; locked: number }> = { USDT: { free: 10_000, locked: 0 }, BTC: { free: 0, locked: 0 } };
  price = 100;
  /**
   * Called with each order the fake places, fills, cancels or expires, after the change
   * (`startLocalBinance` pushes it to the user-data stream as an executionReport).
   */
  onOrderUpdate: ((order: FakeOrder, execution: FakeExecution) => void) | undefined = undefined;
  #server: Server | undefined;
  #nextId = 1000;
  #nextListId = 1;
  #hung: ServerResponse[] = [];

  /** Starts on 127.0.0.1 with an ephemeral port and returns the base URL. */
  async start(): Promise<string> {
    this.#server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const response of this.#hung) response.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  /** Requests that reached a path with a method. */
  sent(method: string, path: string): FakeBinanceRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const params = Object.fromEntries([...url.searchParams, ...new URLSearchParams(body)]);
    const method = request.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.search.slice(1), body, params });
    const fault = this.#takeFault(method, url.pathname);
    if (fault?.kind === 'hang') return void this.#hung.push(response);
    if (fault?.kind === 'status') return this.#reply(response, fault.status, fault.body ?? '', fault.headers);
    if (fault?.kind === 'binance-error') return this.#reply(response, 400, JSON.stringify({ code: fault.code, msg: fault.msg }));
    const refused = this.#checkTimestamp(params);
    if (refused !== undefined) return this.#reply(response, 400, JSON.stringify(refused));
    const recorded = this.responses.get(`${method} ${url.pathname}`);
    const [status, payload] = recorded !== undefined && recorded.length > 0 ? [200, recorded.shift()] : this.#route(method, url.pathname, params);
    if (fault?.kind === 'drop-after-accept') return void response.socket?.destroy();
    if (fault?.kind === 'hang-after-accept') return void this.#hung.push(response);
    this.#reply(response, status, JSON.stringify(payload));
  }

  /** Binance's -1021 for a signed request stamped outside its window, when `clockOffsetMs` is set. */
  #checkTimestamp(params: Record<string, string>): { code: number; msg: string } | undefined {
    if (this.clockOffsetMs === undefined || params.timestamp === undefined) return undefined;
    const serverTime = Date.now() + this.clockOffsetMs;
    const stamped = Number(params.timestamp);
    if (stamped > serverTime + 1_000) return { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." };
    if (serverTime - stamped > Number(params.recvWindow ?? 5_000)) return { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' };
    return undefined;
  }

  /** The first queued fault for this request, removed from the queue; faults still waiting (`after`) count it. */
  #takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.path === path && (fault.method === undefined || fault.method === method));
    const fault = this.faults[index];
    if (fault === undefined) return undefined;
    if ((fault.after ?? 0) > 0) {
      fault.after! -= 1;
      return undefined;
    }
    return this.faults.splice(index, 1)[0];
  }

  #reply(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  }

  #route(method: string, path: string, params: Record<string, string>): [number, unknown] {
    const key = `${method} ${path}`;
    if (key === 'GET /api/v3/exchangeInfo') return [200, BINANCE_SPOT_EXCHANGE_INFO];
    if (key === 'GET /api/v3/time') return [200, { serverTime: Date.now() + (this.clockOffsetMs ?? 0) }];
    // ccxt loads futures markets too unless told spot only: there are none here.
    if (key === 'GET /fapi/v1/exchangeInfo' || key === 'GET /dapi/v1/exchangeInfo') return [200, { timezone: 'UTC', serverTime: BINANCE_SPOT_EXCHANGE_INFO.serverTime, rateLimits: [], exchangeFilters: [], symbols: [] }];
    if (key === 'GET /api/v3/ticker/24hr') return [200, this.#ticker()];
    if (key === 'GET /api/v3/account') return [200, this.#account()];
    if (key === 'POST /api/v3/order') return this.#create(params);
    if (key === 'GET /api/v3/order') return this.#find(params) ?? [400, { code: -2013, msg: 'Order does not exist.' }];
    if (key === 'DELETE /api/v3/order') return this.#cancel(params);
    if (key === 'POST /api/v3/orderList/oco') return this.#createOco(params);
    if (key === 'GET /api/v3/klines') return this.#klines(params);
    if (key === 'GET /api/v3/depth') return [200, this.#depth(params)];
    if (key === 'GET /api/v3/openOrders') return [200, this.orders.filter((order) => order.status === 'NEW' && (params.symbol === undefined || order.symbol === params.symbol))];
    if (key === 'GET /api/v3/myTrades') return this.#myTrades(params);
    return [404, { code: -1000, msg: `fake Binance has no ${key}` }];
  }

  /**
   * Binance's `GET /api/v3/myTrades` for one symbol: one trade per filled order here (at its average
   * price, no commission, at the order's last update), oldest first. As on Binance: `orderId` gives
   * that order's trades; `startTime`/`endTime` filter by time and may be at most 24 hours apart (one
   * without the other spans 24 hours from it; -1127 beyond); `fromId` from a trade id; `limit`
   * (default 500, at most 1000) caps; with none of these, the most recent trades.
   */
  #myTrades(params: Record<string, string>): [number, unknown] {
    const DAY = 86_400_000;
    const limit = Math.min(this.tradesPerRequest, 1000, Number(params.limit ?? 500));
    let trades = this.orders.filter((order) => order.symbol === params.symbol && Number(order.executedQty) > 0).sort((a, b) => a.orderId - b.orderId);
    if (params.orderId !== undefined) {
      trades = trades.filter((order) => order.orderId === Number(params.orderId));
    } else if (params.startTime !== undefined || params.endTime !== undefined) {
      const start = params.startTime === undefined ? Number(params.endTime) - DAY : Number(params.startTime);
      const end = params.endTime === undefined ? start + DAY : Number(params.endTime);
      if (end - start > DAY) return [400, { code: -1127, msg: 'More than 24 hours between startTime and endTime.' }];
      trades = trades.filter((order) => order.updateTime >= start && order.updateTime <= end).sort((a, b) => a.updateTime - b.updateTime || a.orderId - b.orderId);
    } else if (params.fromId !== undefined) {
      trades = trades.filter((order) => order.orderId >= Number(params.fromId));
    } else {
      trades = trades.slice(-limit);
    }
    return [
      200,
      trades.slice(0, limit).map((order) => {
        const qty = Number(order.executedQty);
        const quoteQty = Number(order.cummulativeQuoteQty);
        return { symbol: order.symbol, id: order.orderId, orderId: order.orderId, orderListId: order.orderListId, price: (quoteQty / qty).toFixed(8), qty: order.executedQty, quoteQty: order.cummulativeQuoteQty, commission: '0.00000000', commissionAsset: receivedAsset(order), time: order.updateTime, isBuyer: order.side === 'BUY', isMaker: false, isBestMatch: true };
      }),
    ];
  }

  /** Binance's kline semantics: startTime/endTime filter open times, `limit` (default 500, at most `klinesPerRequest`) caps; without startTime, the latest. */
  #klines(params: Record<string, string>): [number, unknown] {
    const series = this.klines.get(`${params.symbol} ${params.interval}`);
    if (series === undefined) return [400, { code: -1121, msg: 'Invalid symbol.' }];
    const limit = Math.min(this.klinesPerRequest, Number(params.limit ?? 500));
    const start = params.startTime === undefined ? -Infinity : Number(params.startTime);
    const end = Math.min(this.now, params.endTime === undefined ? Infinity : Number(params.endTime));
    const inside = series.filter((candle) => candle.timestamp >= start && candle.timestamp <= end);
    const chosen = params.startTime === undefined ? inside.slice(-limit) : inside.slice(0, limit);
    const length = timeframeToMs(params.interval as Parameters<typeof timeframeToMs>[0]);
    return [200, chosen.map((candle) => toKline(candle, length))];
  }

  #depth(params: Record<string, string>) {
    const book = this.books.get(params.symbol ?? '') ?? { bids: [], asks: [] };
    const limit = Number(params.limit ?? 100);
    const level = ([price, amount]: readonly [number, number]) => [price.toFixed(8), amount.toFixed(8)];
    return { lastUpdateId: this.bookUpdateId, bids: book.bids.slice(0, limit).map(level), asks: book.asks.slice(0, limit).map(level) };
  }

  #ticker() {
    const price = this.price.toFixed(2);
    return { symbol: 'BTCUSDT', priceChange: '0.00', priceChangePercent: '0.000', weightedAvgPrice: price, prevClosePrice: price, lastPrice: price, lastQty: '0.1', bidPrice: price, bidQty: '1', askPrice: price, askQty: '1', openPrice: price, highPrice: price, lowPrice: price, volume: '1000', quoteVolume: '100000', openTime: 1737549157417, closeTime: 1737635557417, firstId: 1, lastId: 2, count: 2 };
  }

  #account() {
    return { makerCommission: 10, takerCommission: 10, buyerCommission: 0, sellerCommission: 0, canTrade: true, canWithdraw: true, canDeposit: true, brokered: false, requireSelfTradePrevention: false, preventSor: false, updateTime: 1737635557417, accountType: 'SPOT', permissions: ['SPOT'], uid: 1,
      balances: Object.entries(this.balances).map(([asset, balance]) => ({ asset, free: balance.free.toFixed(8), locked: balance.locked.toFixed(8) })) };
  }

  #create(params: Record<string, string>): [number, unknown] {
    const quantity = Number(params.quantity);
    const side = params.side!;
    const type = params.type!;
    if (params.trailingDelta !== undefined) return this.#createTrailing(params);
    const stop = type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
    const price = type === 'MARKET' ? this.price : stop ? Number(params.stopPrice) : Number(params.price);
    // A LIMIT_MAKER that would match at once is refused, as Binance does; otherwise it rests as a LIMIT.
    if (type === 'LIMIT_MAKER' && (side === 'BUY' ? price >= this.price : price <= this.price)) return [400, { code: -2010, msg: 'Order would immediately match and take.' }];
    const quote = this.balances.USDT!;
    const base = this.balances.BTC!;
    if ((side === 'BUY' && quantity * price > quote.free) || (side === 'SELL' && quantity > base.free)) return [...INSUFFICIENT];
    const order = this.#newOrder({ symbol: 'BTCUSDT', clientOrderId: params.newClientOrderId, type, side, quantity, price: type === 'MARKET' || stop ? 0 : price, stopPrice: stop ? price : 0 });
    if (type === 'MARKET') {
      this.#fill(order, price);
      if (side === 'BUY') { quote.free -= quantity * price; base.free += quantity; } else { base.free -= quantity; quote.free += quantity * price; }
    } else if (side === 'BUY') { quote.free -= quantity * price; quote.locked += quantity * price; } else { base.free -= quantity; base.locked += quantity; }
    this.onOrderUpdate?.(order, order.status === 'FILLED' ? 'TRADE' : 'NEW');
    return [200, { ...order, transactTime: order.time, fills: order.status === 'FILLED' ? [{ price: price.toFixed(8), qty: order.origQty, commission: '0.00000000', commissionAsset: receivedAsset(order), tradeId: order.orderId }] : [] }];
  }

  /**
   * A trailing STOP_LOSS (or STOP_LOSS_LIMIT) without a stop price, as the adapter sends it: the delta
   * must be whole BIPS inside the symbol's TRAILING_DELTA filter (10..2000 here), else -1013. It
   * tracks from the current price; `tradeAt` fills it at the trade price once the price comes back by
   * the delta (a STOP_LOSS_LIMIT too: the fake does not rest it at its limit after the trigger).
   */
  #createTrailing(params: Record<string, string>): [number, unknown] {
    const delta = Number(params.trailingDelta);
    if (!Number.isInteger(delta) || delta < 10 || delta > 2000) return [400, { code: -1013, msg: 'Filter failure: TRAILING_DELTA' }];
    if (params.type !== 'STOP_LOSS' && params.type !== 'STOP_LOSS_LIMIT') return [400, { code: -1013, msg: 'fake Binance trails STOP_LOSS and STOP_LOSS_LIMIT orders only' }];
    if (params.stopPrice !== undefined) return [400, { code: -1013, msg: 'fake Binance trails from the current price only (no stopPrice)' }];
    const quantity = Number(params.quantity);
    const side = params.side!;
    const limit = params.type === 'STOP_LOSS_LIMIT' ? Number(params.price) : 0;
    const quote = this.balances.USDT!;
    const base = this.balances.BTC!;
    const reserve = side === 'BUY' ? quantity * (limit > 0 ? limit : this.price) : quantity;
    if ((side === 'BUY' && reserve > quote.free) || (side === 'SELL' && quantity > base.free)) return [...INSUFFICIENT];
    const order = this.#newOrder({ symbol: params.symbol ?? 'BTCUSDT', clientOrderId: params.newClientOrderId, type: params.type, side, quantity, price: limit, stopPrice: 0 });
    order.isWorking = false;
    order.workingTime = -1;
    order.trailingDelta = delta;
    TRAILING_EXTREME.set(order, this.price);
    if (side === 'BUY') TRAILING_RESERVE.set(order, reserve);
    if (side === 'BUY') { quote.free -= reserve; quote.locked += reserve; } else { base.free -= quantity; base.locked += quantity; }
    this.onOrderUpdate?.(order, 'NEW');
    return [200, { ...order, transactTime: order.time, fills: [] }];
  }

  #newOrder(spec: { symbol: string; clientOrderId: string | undefined; type: string; side: string; quantity: number; price: number; stopPrice: number; orderListId?: number }): FakeOrder {
    const now = this.orderTime ?? 1737635557417 + this.#nextId;
    const text = (value: number) => value.toFixed(8);
    const order: FakeOrder = { symbol: spec.symbol, orderId: this.#nextId++, orderListId: spec.orderListId ?? -1, clientOrderId: spec.clientOrderId ?? `auto-${this.#nextId}`, price: text(spec.price), origQty: text(spec.quantity), executedQty: text(0), cummulativeQuoteQty: text(0), status: 'NEW', timeInForce: 'GTC', type: spec.type, side: spec.side, stopPrice: text(spec.stopPrice), icebergQty: text(0), time: now, updateTime: now, isWorking: spec.stopPrice === 0, workingTime: spec.stopPrice === 0 ? now : -1, origQuoteOrderQty: text(0), selfTradePreventionMode: 'EXPIRE_MAKER' };
    this.orders.push(order);
    return order;
  }

  #fill(order: FakeOrder, price: number): void {
    order.status = 'FILLED';
    order.executedQty = order.origQty;
    order.cummulativeQuoteQty = (Number(order.origQty) * price).toFixed(8);
  }

  /**
   * Binance's `POST /api/v3/orderList/oco` for what the adapter sends: a SELL with a TAKE_PROFIT
   * above and a STOP_LOSS below, `aboveStopPrice` > last price > `belowStopPrice`. The quantity is
   * locked once for both legs; a client order id in use by an open order is refused.
   */
  #createOco(params: Record<string, string>): [number, unknown] {
    if (params.side !== 'SELL' || params.aboveType !== 'TAKE_PROFIT' || params.belowType !== 'STOP_LOSS') return [400, { code: -1000, msg: 'fake Binance places SELL OCOs of aboveType TAKE_PROFIT and belowType STOP_LOSS only' }];
    const quantity = Number(params.quantity);
    const above = Number(params.aboveStopPrice);
    const below = Number(params.belowStopPrice);
    if (!(above > this.price && this.price > below)) return [400, { code: -2010, msg: 'The relationship of the prices for the orders is not correct.' }];
    if ([params.aboveClientOrderId, params.belowClientOrderId].some((id) => this.orders.some((order) => order.clientOrderId === id && order.status === 'NEW'))) return [400, { code: -2010, msg: 'Duplicate order sent.' }];
    const base = this.balances.BTC!;
    if (quantity > base.free) return [...INSUFFICIENT];
    base.free -= quantity;
    base.locked += quantity;
    const orderListId = this.#nextListId++;
    const symbol = params.symbol!;
    const legs = [
      this.#newOrder({ symbol, clientOrderId: params.belowClientOrderId, type: 'STOP_LOSS', side: 'SELL', quantity, price: 0, stopPrice: below, orderListId }),
      this.#newOrder({ symbol, clientOrderId: params.aboveClientOrderId, type: 'TAKE_PROFIT', side: 'SELL', quantity, price: 0, stopPrice: above, orderListId }),
    ];
    const list: FakeOrderList = { orderListId, listClientOrderId: params.listClientOrderId ?? `list-${orderListId}`, symbol, orderIds: legs.map((leg) => leg.orderId) };
    this.orderLists.push(list);
    for (const leg of legs) this.onOrderUpdate?.(leg, 'NEW');
    const time = legs[0]!.time;
    return [200, {
      orderListId, contingencyType: 'OCO', listStatusType: 'EXEC_STARTED', listOrderStatus: 'EXECUTING', listClientOrderId: list.listClientOrderId, transactionTime: time, symbol,
      orders: legs.map((leg) => ({ symbol, orderId: leg.orderId, clientOrderId: leg.clientOrderId })),
      orderReports: legs.map(({ time: _time, updateTime: _update, isWorking: _working, icebergQty: _iceberg, ...leg }) => ({ ...leg, transactTime: time })),
    }];
  }

  /**
   * The market trades at `price`: every open stop-loss and take-profit it triggers fills there
   * (market on trigger), and the other leg of a filled OCO expires, as on Binance.
   */
  tradeAt(price: number): void {
    this.price = price;
    for (const order of this.orders) {
      if (order.status !== 'NEW' || !this.#triggers(order, price)) continue;
      this.#fill(order, price);
      order.updateTime = this.orderTime ?? order.updateTime + 1;
      this.#settleStop(order, price);
      this.onOrderUpdate?.(order, 'TRADE');
      for (const other of this.#listLegs(order)) {
        if (other === order || other.status !== 'NEW') continue;
        other.status = 'EXPIRED';
        other.updateTime = this.orderTime ?? other.updateTime + 1;
        this.onOrderUpdate?.(other, 'EXPIRED');
      }
    }
  }

  #triggers(order: FakeOrder, price: number): boolean {
    if (order.trailingDelta !== undefined) return this.#trails(order, price);
    const stop = Number(order.stopPrice);
    if (!(stop > 0)) return false;
    const falling = (order.type === 'STOP_LOSS') === (order.side === 'SELL');
    return falling ? price <= stop : price >= stop;
  }

  /** A trailing stop: triggers once `price` is the delta worse than the best trade since placing, else follows a better one. */
  #trails(order: FakeOrder, price: number): boolean {
    const best = TRAILING_EXTREME.get(order)!;
    // In BIPS on both sides, as Binance reckons: 102.9 is 200 BIPS under 105, which 105 * 0.98 (102.8999...) would miss.
    const delta = order.trailingDelta!;
    const triggered = order.side === 'SELL' ? price * 10_000 <= best * (10_000 - delta) : price * 10_000 >= best * (10_000 + delta);
    if (!triggered) TRAILING_EXTREME.set(order, order.side === 'SELL' ? Math.max(best, price) : Math.min(best, price));
    return triggered;
  }

  /** Moves the funds of a filled stop order: what it locked (once for an OCO) is spent at `price`. */
  #settleStop(order: FakeOrder, price: number): void {
    const quantity = Number(order.origQty);
    const quote = this.balances.USDT!;
    const base = this.balances.BTC!;
    if (order.side === 'SELL') { base.locked -= quantity; quote.free += quantity * price; return; }
    const reserved = reservedQuote(order);
    quote.locked -= reserved;
    quote.free += reserved - quantity * price;
    base.free += quantity;
  }

  /** The legs of the order list an order belongs to (just the order when it is in none). */
  #listLegs(order: FakeOrder): FakeOrder[] {
    if (order.orderListId === -1) return [order];
    return this.orders.filter((candidate) => candidate.orderListId === order.orderListId);
  }

  #find(params: Record<string, string>): [number, unknown] | undefined {
    const order = this.orders.find((candidate) => (params.origClientOrderId !== undefined ? candidate.clientOrderId === params.origClientOrderId : String(candidate.orderId) === params.orderId));
    return order === undefined ? undefined : [200, order];
  }

  /** Cancels an order; cancelling one leg of an OCO cancels the whole list (its holding was locked once). */
  #cancel(params: Record<string, string>): [number, unknown] {
    const order = this.orders.find((candidate) => String(candidate.orderId) === params.orderId);
    if (order === undefined || order.status !== 'NEW') return [400, { code: -2011, msg: 'Unknown order sent.' }];
    for (const leg of this.#listLegs(order)) {
      if (leg.status !== 'NEW') continue;
      leg.status = 'CANCELED';
      leg.updateTime = this.orderTime ?? leg.updateTime + 1;
      this.onOrderUpdate?.(leg, 'CANCELED');
    }
    const amount = Number(order.origQty);
    const reserved = reservedQuote(order);
    if (order.side === 'BUY') { this.balances.USDT!.locked -= reserved; this.balances.USDT!.free += reserved; } else { this.balances.BTC!.locked -= amount; this.balances.BTC!.free += amount; }
    return [200, { ...order, origClientOrderId: order.clientOrderId }];
  }
}

/** The asset a fill of the order brings in, in which the fake charges its (zero) commission: the base for a buy, USDT for a sell. */
export function receivedAsset(order: Pick<FakeOrder, 'symbol' | 'side'>): string {
  return order.side === 'BUY' ? order.symbol.replace(/USDT$/, '') : 'USDT';
}
