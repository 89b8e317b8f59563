import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault the fake server injects on the next matching request. */
export type Fault =
  | { path: string; method?: string; kind: 'status'; status: number; body?: string }
  | { path: string; method?: string; kind: 'binance-error'; code: number; msg: string }
  | { path: string; method?: string; kind: 'hang' }
  /** Executes the request, then destroys the connection before answering (the ambiguous case). */
  | { path: string; method?: string; kind: 'drop-after-accept' };

interface FakeOrder {
  symbol: string; orderId: number; orderListId: number; clientOrderId: string; price: string; origQty: string; executedQty: string; cummulativeQuoteQty: string;
  status: string; timeInForce: string; type: string; side: string; stopPrice: string; icebergQty: string; time: number; updateTime: number; isWorking: boolean;
  workingTime: number; origQuoteOrderQty: string; selfTradePreventionMode: string;
}

/** Binance's exchangeInfo for one spot market, in Binance's real format (fields and filters as the API sends them). */
export const BTCUSDT_EXCHANGE_INFO = {
  timezone: 'UTC', serverTime: 1737635557417, rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }], exchangeFilters: [],
  symbols: [{
    symbol: 'BTCUSDT', status: 'TRADING', baseAsset: 'BTC', baseAssetPrecision: 8, quoteAsset: 'USDT', quotePrecision: 8, quoteAssetPrecision: 8, baseCommissionPrecision: 8, quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'], icebergAllowed: true, ocoAllowed: true, otoAllowed: true, quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true, cancelReplaceAllowed: true, isSpotTradingAllowed: true, isMarginTradingAllowed: true,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '80.00000000', stepSize: '0.00000000' },
      { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
    ],
    permissions: [], permissionSets: [['SPOT', 'MARGIN']], defaultSelfTradePreventionMode: 'EXPIRE_MAKER', allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  }],
};

/**
 * A local HTTP server speaking the part of Binance's spot REST API that the adapter uses
 * (exchangeInfo, ticker, account, order create/query/cancel, openOrders) with a tiny matching
 * engine: market orders fill at `price`, limit orders rest and lock funds. Faults can be queued.
 */
export class FakeBinance {
  readonly requests: { method: string; path: string; params: Record<string, string> }[] = [];
  readonly faults: Fault[] = [];
  readonly orders: FakeOrder[] = [];
  balances: Record<string, { free: number; locked: number }> = { USDT: { free: 10_000, locked: 0 }, BTC: { free: 0, locked: 0 } };
  price = 100;
  #server: Server | undefined;
  #nextId = 1000;
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
  sent(method: string, path: string): { params: Record<string, string> }[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const params = Object.fromEntries([...url.searchParams, ...new URLSearchParams(body)]);
    const method = request.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, params });
    const faultIndex = this.faults.findIndex((fault) => fault.path === url.pathname && (fault.method === undefined || fault.method === method));
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.kind === 'hang') return void this.#hung.push(response);
    if (fault?.kind === 'status') return this.#reply(response, fault.status, fault.body ?? '');
    if (fault?.kind === 'binance-error') return this.#reply(response, 400, JSON.stringify({ code: fault.code, msg: fault.msg }));
    const [status, payload] = this.#route(method, url.pathname, params);
    if (fault?.kind === 'drop-after-accept') return void response.socket?.destroy();
    this.#reply(response, status, JSON.stringify(payload));
  }

  #reply(response: ServerResponse, status: number, body: string): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body);
  }

  #route(method: string, path: string, params: Record<string, string>): [number, unknown] {
    const key = `${method} ${path}`;
    if (key === 'GET /api/v3/exchangeInfo') return [200, BTCUSDT_EXCHANGE_INFO];
    if (key === 'GET /api/v3/ticker/24hr') return [200, this.#ticker()];
    if (key === 'GET /api/v3/account') return [200, this.#account()];
    if (key === 'POST /api/v3/order') return this.#create(params);
    if (key === 'GET /api/v3/order') return this.#find(params) ?? [400, { code: -2013, msg: 'Order does not exist.' }];
    if (key === 'DELETE /api/v3/order') return this.#cancel(params);
    if (key === 'GET /api/v3/openOrders') return [200, this.orders.filter((order) => order.status === 'NEW')];
    return [404, { code: -1000, msg: `fake Binance has no ${key}` }];
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
    const price = type === 'MARKET' ? this.price : Number(params.price);
    const quote = this.balances.USDT!;
    const base = this.balances.BTC!;
    if ((side === 'BUY' && quantity * price > quote.free) || (side === 'SELL' && quantity > base.free)) return [400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }];
    const now = 1737635557417 + this.#nextId;
    const order: FakeOrder = { symbol: 'BTCUSDT', orderId: this.#nextId++, orderListId: -1, clientOrderId: params.newClientOrderId ?? `auto-${this.#nextId}`, price: type === 'MARKET' ? '0.00000000' : price.toFixed(8), origQty: quantity.toFixed(8), executedQty: '0.00000000', cummulativeQuoteQty: '0.00000000', status: 'NEW', timeInForce: 'GTC', type, side, stopPrice: '0.00000000', icebergQty: '0.00000000', time: now, updateTime: now, isWorking: true, workingTime: now, origQuoteOrderQty: '0.00000000', selfTradePreventionMode: 'EXPIRE_MAKER' };
    if (type === 'MARKET') {
      order.status = 'FILLED';
      order.executedQty = order.origQty;
      order.cummulativeQuoteQty = (quantity * price).toFixed(8);
      if (side === 'BUY') { quote.free -= quantity * price; base.free += quantity; } else { base.free -= quantity; quote.free += quantity * price; }
    } else if (side === 'BUY') { quote.free -= quantity * price; quote.locked += quantity * price; } else { base.free -= quantity; base.locked += quantity; }
    this.orders.push(order);
    return [200, { ...order, transactTime: now, fills: order.status === 'FILLED' ? [{ price: price.toFixed(8), qty: order.origQty, commission: '0.00000000', commissionAsset: 'BTC', tradeId: order.orderId }] : [] }];
  }

  #find(params: Record<string, string>): [number, unknown] | undefined {
    const order = this.orders.find((candidate) => (params.origClientOrderId !== undefined ? candidate.clientOrderId === params.origClientOrderId : String(candidate.orderId) === params.orderId));
    return order === undefined ? undefined : [200, order];
  }

  #cancel(params: Record<string, string>): [number, unknown] {
    const order = this.orders.find((candidate) => String(candidate.orderId) === params.orderId);
    if (order === undefined || order.status !== 'NEW') return [400, { code: -2011, msg: 'Unknown order sent.' }];
    order.status = 'CANCELED';
    const amount = Number(order.origQty);
    if (order.side === 'BUY') { this.balances.USDT!.locked -= amount * Number(order.price); this.balances.USDT!.free += amount * Number(order.price); } else { this.balances.BTC!.locked -= amount; this.balances.BTC!.free += amount; }
    return [200, { ...order, origClientOrderId: order.clientOrderId }];
  }
}
