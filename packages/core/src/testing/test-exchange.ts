import { ExchangeError } from '../errors/index.js';
import type { MarketInfo, SimulatedExchange } from '../interfaces/exchange.js';
import type { Balances, Candle, Fill, Order, OrderBook, OrderRequest, Portfolio, Position, Ticker, Timeframe } from '../schemas/index.js';

/** Settings of the test exchange. */
export interface TestExchangeSettings {
  /** Starting cash. @default 10000 */
  cash?: number;
  /** Quote currency. @default 'USDT' */
  quoteCurrency?: string;
  /** Fee rate on notional. @default 0.001 */
  feeRate?: number;
  /** Candles fetchOHLCV serves, per symbol. */
  candles?: Record<string, readonly Candle[]>;
}

/**
 * A minimal simulated exchange for engine tests: market orders fill at once at the last close
 * with a fee; sell stop-loss and take-profit orders trigger on a later candle's low/high;
 * idempotent client order ids; no partial fills, no order book, no locked balances. Use
 * PaperExchange from @ia-agents/exchange for realistic simulation.
 */
export class TestExchange implements SimulatedExchange {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'test';
  readonly orders = new Map<string, Order>();
  readonly fills: Fill[] = [];
  readonly #quote: string;
  readonly #feeRate: number;
  readonly #candles: Record<string, readonly Candle[]>;
  readonly #positions = new Map<string, Position>();
  readonly #last = new Map<string, Candle>();
  /** Open orders (the resting stop-loss and take-profit orders), by client order id. */
  readonly #resting = new Map<string, Order>();
  #cash: number;
  #peak: number;
  #dayStart: number;
  #day = -1;
  #now = 0;

  constructor(settings: TestExchangeSettings = {}) {
    this.#cash = settings.cash ?? 10_000;
    this.#peak = this.#cash;
    this.#dayStart = this.#cash;
    this.#quote = settings.quoteCurrency ?? 'USDT';
    this.#feeRate = settings.feeRate ?? 0.001;
    this.#candles = settings.candles ?? {};
  }

  onCandle(symbol: string, candle: Candle): Fill[] {
    this.#now = candle.timestamp;
    const fills = this.#trigger(symbol, candle);
    this.#last.set(symbol, candle);
    const position = this.#positions.get(symbol);
    if (position !== undefined) {
      position.markPrice = candle.close;
      position.unrealizedPnl = (candle.close - position.averageEntryPrice) * position.amount;
    }
    return fills;
  }

  #trigger(symbol: string, candle: Candle): Fill[] {
    const fills: Fill[] = [];
    for (const order of [...this.#resting.values()]) {
      if (order.status !== 'open' || order.symbol !== symbol || order.stopPrice === undefined) continue;
      const stop = order.stopPrice;
      const hit = order.type === 'stop-loss' ? candle.low <= stop : candle.high >= stop;
      if (!hit) continue;
      const price = order.type === 'stop-loss' ? Math.min(candle.open, stop) : Math.max(candle.open, stop);
      this.#last.set(symbol, { ...candle, close: price });
      const fill = this.#settle(order, price);
      if (fill !== undefined) fills.push(fill);
    }
    return fills;
  }

  #settle(order: Order, price: number): Fill | undefined {
    const position = this.#positions.get(order.symbol);
    const amount = Math.min(order.amount, position?.amount ?? 0);
    if (position === undefined || amount <= 0) {
      Object.assign(order, { status: 'cancelled', reason: 'nothing left to sell', updatedAt: this.#now });
      this.#resting.delete(order.clientOrderId);
      return undefined;
    }
    const fee = amount * price * this.#feeRate;
    this.#cash += amount * price - fee;
    position.realizedPnl += (price - position.averageEntryPrice) * amount - fee;
    position.amount -= amount;
    position.markPrice = price;
    Object.assign(order, { status: 'filled', filled: amount, remaining: 0, averagePrice: price, fee: { cost: fee, currency: this.#quote }, updatedAt: this.#now });
    this.#resting.delete(order.clientOrderId);
    const fill: Fill = { id: `f-${this.fills.length + 1}`, orderId: order.id, clientOrderId: order.clientOrderId, symbol: order.symbol, side: 'sell', price, amount, fee: order.fee!, liquidity: 'taker', timestamp: this.#now };
    this.fills.push(fill);
    return fill;
  }

  getPortfolio(): Portfolio {
    const positions = [...this.#positions.values()].filter((p) => p.amount > 0).map((p) => ({ ...p }));
    const equity = this.#cash + positions.reduce((sum, p) => sum + p.amount * p.markPrice, 0);
    const day = Math.floor(this.#now / 86_400_000);
    if (day !== this.#day) [this.#day, this.#dayStart] = [day, equity];
    this.#peak = Math.max(this.#peak, equity);
    const balances: Balances = { [this.#quote]: { free: this.#cash, used: 0, total: this.#cash } };
    for (const p of positions) balances[p.symbol.split('/')[0]!] = { free: p.amount, used: 0, total: p.amount };
    return { timestamp: this.#now, quoteCurrency: this.#quote, cash: this.#cash, equity, peakEquity: this.#peak, dayStartEquity: this.#dayStart, balances, positions };
  }

  async createOrder(request: OrderRequest): Promise<Order> {
    return this.placeOrder(request);
  }

  placeOrder(request: OrderRequest): Order {
    const existing = this.orders.get(request.clientOrderId);
    if (existing !== undefined) return { ...existing };
    if ((request.type === 'stop-loss' || request.type === 'take-profit') && request.side === 'sell') return this.#rest(request);
    if (request.type !== 'market') throw new ExchangeError('INVALID_ORDER', `the test exchange takes market orders and sell stop-loss/take-profit orders, got ${request.side} ${request.type}`);
    const price = this.#last.get(request.symbol)?.close;
    if (price === undefined) throw new ExchangeError('MARKET_NOT_FOUND', `no price for ${request.symbol}`);
    const fee = request.amount * price * this.#feeRate;
    const position = this.#positions.get(request.symbol) ?? { symbol: request.symbol, amount: 0, averageEntryPrice: 0, markPrice: price, realizedPnl: 0, unrealizedPnl: 0, openedAt: this.#now };
    if (request.side === 'buy') {
      const cost = request.amount * price + fee;
      if (cost > this.#cash + 1e-9) throw new ExchangeError('INSUFFICIENT_FUNDS', `buying costs ${cost}, cash is ${this.#cash}`);
      this.#cash -= cost;
      position.averageEntryPrice = (position.averageEntryPrice * position.amount + cost) / (position.amount + request.amount);
      position.amount += request.amount;
    } else {
      if (request.amount > position.amount + 1e-12) throw new ExchangeError('INSUFFICIENT_FUNDS', `selling ${request.amount}, holding ${position.amount}`);
      this.#cash += request.amount * price - fee;
      position.realizedPnl += (price - position.averageEntryPrice) * request.amount - fee;
      position.amount -= request.amount;
    }
    position.markPrice = price;
    this.#positions.set(request.symbol, position);
    const order: Order = { id: `t-${this.orders.size + 1}`, clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side, type: 'market', amount: request.amount, filled: request.amount, remaining: 0, averagePrice: price, status: 'filled', fee: { cost: fee, currency: this.#quote }, createdAt: this.#now, updatedAt: this.#now, ...(request.decisionId === undefined ? {} : { decisionId: request.decisionId }) };
    this.orders.set(order.clientOrderId, order);
    this.fills.push({ id: `f-${this.fills.length + 1}`, orderId: order.id, clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side, price, amount: order.amount, fee: order.fee!, liquidity: 'taker', timestamp: this.#now });
    return { ...order };
  }

  #rest(request: OrderRequest): Order {
    const order: Order = { id: `t-${this.orders.size + 1}`, clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side, type: request.type, amount: request.amount, filled: 0, remaining: request.amount, stopPrice: request.stopPrice!, status: 'open', createdAt: this.#now, updatedAt: this.#now, ...(request.decisionId === undefined ? {} : { decisionId: request.decisionId }) };
    this.orders.set(order.clientOrderId, order);
    this.#resting.set(order.clientOrderId, order);
    return { ...order };
  }

  async fetchMarket(symbol: string): Promise<MarketInfo> {
    const [base = symbol, quote = this.#quote] = symbol.split('/');
    return { symbol, base, quote };
  }
  async fetchBalance(): Promise<Balances> {
    return this.getPortfolio().balances;
  }
  async fetchTicker(symbol: string): Promise<Ticker> {
    const last = this.#last.get(symbol);
    if (last === undefined) throw new ExchangeError('MARKET_NOT_FOUND', `no price for ${symbol}`);
    return { symbol, timestamp: this.#now, last: last.close };
  }
  async fetchOrderBook(symbol: string): Promise<OrderBook> {
    return { symbol, timestamp: this.#now, bids: [], asks: [] };
  }
  async fetchOHLCV(symbol: string, _timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    const candles = (this.#candles[symbol] ?? []).filter((c) => since === undefined || c.timestamp >= since);
    return limit === undefined ? [...candles] : candles.slice(-limit);
  }
  async cancelOrder(orderId: string): Promise<Order> {
    const order = [...this.orders.values()].find((o) => o.id === orderId && o.status === 'open');
    if (order === undefined) throw new ExchangeError('ORDER_NOT_FOUND', `order ${orderId} is not open`);
    Object.assign(order, { status: 'cancelled', updatedAt: this.#now });
    this.#resting.delete(order.clientOrderId);
    return { ...order };
  }
  async fetchOrder(orderId: string): Promise<Order> {
    const order = [...this.orders.values()].find((o) => o.id === orderId);
    if (order === undefined) throw new ExchangeError('ORDER_NOT_FOUND', `no order ${orderId}`);
    return { ...order };
  }
  async fetchOrderByClientId(clientOrderId: string): Promise<Order | undefined> {
    return this.orderByClientId(clientOrderId);
  }
  orderByClientId(clientOrderId: string): Order | undefined {
    const order = this.orders.get(clientOrderId);
    return order === undefined ? undefined : { ...order };
  }
  fillsOf(clientOrderId: string): Fill[] {
    return this.fills.filter((f) => f.clientOrderId === clientOrderId).map((f) => ({ ...f }));
  }
  openOrderCount(): number {
    return this.#resting.size;
  }
  async fetchFills(symbol?: string, since = 0): Promise<Fill[]> {
    return this.fills.filter((f) => (symbol === undefined || f.symbol === symbol) && f.timestamp >= since).map((f) => ({ ...f }));
  }
  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    return [...this.#resting.values()].filter((o) => symbol === undefined || o.symbol === symbol).map((o) => ({ ...o }));
  }
}
