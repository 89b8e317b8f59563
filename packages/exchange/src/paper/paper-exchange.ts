import {
  ExchangeError,
  ocoRequestSchema,
  checkOrderRequest,
  parseWith,
  RingBuffer,
  type Balances,
  type Candle,
  type Fill,
  type MarketInfo,
  type OcoRequest,
  type Order,
  type OrderBook,
  type OrderRequest,
  type Portfolio,
  type SimulatedExchange,
  type Ticker,
  type Timeframe,
} from '@ia-agents/core';
import { candleExecution, executesAtClose, executesAtOpen, type Execution } from './fill-rules.js';
import { fillContext, fillOnBook, fillOnCandle, type FillContext } from './paper-fills.js';
import { PaperLedger, type AssetBalance } from './paper-ledger.js';
import { marketFor, paperExchangeOptionsSchema, splitSymbol, type PaperExchangeOptions, type PaperExchangeSettings } from './paper-options.js';
import { copyOrder, newPaperOrder, type PaperOrder, type SymbolState } from './paper-order.js';
import { checkMarketRules, lockFor, refuseTaking } from './order-admission.js';
import { FillLog } from './fill-log.js';
import { OrderArchive } from './order-archive.js';
import { paperOrderFromSaved, paperStateSchema, savedOrder, type PaperExchangeState } from './paper-state.js';
import { candlesFrom, noMarketData, orderBookFrom, tickerFrom } from './paper-market-data.js';

const NO_FILLS: Fill[] = [];
const DAY_MS = 86_400_000;
/** Slots of PaperExchange's figures. */
const MARKET_TIME = 0;
const EQUITY = 1;
const PEAK_EQUITY = 2;
const DAY_START_EQUITY = 3;
const LAST_PLACED_AT = 4;

/**
 * A simulated exchange: fills orders from the candles (and order books) it is handed, with fees,
 * slippage, partial fills, balances, positions and PnL. The default exchange everywhere.
 *
 * `onCandle` is the hot path of every backtest: with no open orders it only marks the price.
 */
export class PaperExchange implements SimulatedExchange {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly #settings: PaperExchangeSettings;
  readonly #options: PaperExchangeOptions;
  readonly #ledger: PaperLedger;
  readonly #symbols = new Map<string, SymbolState>();
  /**
   * Every order in creation order (order `<prefix>-<n>` is at index n - 1): the working order while
   * it is open, undefined once it is closed and kept in `#archive` instead.
   */
  readonly #orders: (PaperOrder | undefined)[] = [];
  readonly #archive = new OrderArchive();
  /** Position of every order by client order id. */
  readonly #byClientId = new Map<string, number>();
  readonly #fills = new FillLog();
  /** Symbols whose quote is the valuation currency, one per base asset: they value the balances. */
  readonly #valuers: SymbolState[] = [];
  /**
   * The ledger records of the quote currency and of each valuer's base asset (undefined while the
   * asset has none), looked up again only when the ledger has gained a record (`#valuedAssets`, its
   * count then) or a valuer was added: not every candle, and never for an asset not held yet.
   */
  #quoteBalance: AssetBalance | undefined;
  readonly #valuerBalances: (AssetBalance | undefined)[] = [];
  #valuedAssets = -1;
  /** The latest order placed: asked for its fills right after (fillsOf), it needs no hash lookup. */
  #lastPlaced: PaperOrder | undefined;
  #lastPlacedId = '';
  /** Market rules taken from the market-data source (`loadMarkets`), by symbol. */
  readonly #loadedMarkets = new Map<string, MarketInfo>();
  /** Symbols whose rules the source could not give yet, and the background request for one. */
  readonly #rulesWanted = new Set<string>();
  #loadingRules: Promise<void> | undefined;
  /** The symbol of the latest call (a backtest of one symbol looks it up once). */
  #lastState: SymbolState | undefined;
  #openCount = 0;
  #orderCounter = 0;
  /**
   * Market time, equity, peak equity and day-start equity (indexes below), set every candle, and the
   * creation time of the latest order: kept in a Float64Array because each new value stored in a
   * plain field is a heap-allocated number (16 B a candle while a position is held).
   */
  readonly #figures = new Float64Array(5);
  #day = -1;

  constructor(options: PaperExchangeOptions = {}) {
    const { clock: _clock, marketData: _marketData, ...rest } = options;
    this.#settings = parseWith(paperExchangeOptionsSchema, rest, 'paper exchange options', 'CONFIG_INVALID');
    this.#options = options;
    this.id = this.#settings.id;
    this.#ledger = new PaperLedger(this.#settings.balances);
    this.#figures[EQUITY] = this.#ledger.asset(this.#settings.quoteCurrency).total;
    this.#figures[PEAK_EQUITY] = this.#figures[EQUITY]!;
    this.#figures[DAY_START_EQUITY] = this.#figures[EQUITY]!;
  }

  /** Current time: the injected clock, else the open time of the latest candle seen. */
  #now(): number {
    return this.#options.clock?.now() ?? this.#figures[MARKET_TIME]!;
  }

  #symbol(symbol: string): SymbolState {
    const last = this.#lastState;
    if (last !== undefined && last.symbol === symbol) return last;
    let state = this.#symbols.get(symbol);
    if (state === undefined) {
      const { base, quote } = splitSymbol(symbol);
      state = { symbol, base, quote, market: this.#loadedMarkets.get(symbol) ?? marketFor(this.#settings, symbol), last: undefined, mark: Number.NaN, history: new RingBuffer<Candle>(this.#settings.historyLimit), consumed: 0, book: undefined, open: [] };
      this.#symbols.set(symbol, state);
      if (quote === this.#settings.quoteCurrency && !this.#valuers.some((valuer) => valuer.base === base)) this.#valuers.push(state);
    }
    this.#lastState = state;
    return state;
  }

  /** Processes a closed candle: triggers and fills open orders of the symbol, then marks equity. */
  onCandle(symbol: string, candle: Candle): Fill[] {
    const state = this.#symbol(symbol);
    // A candle no newer than the last one seen is a replay (a feed's warm-up after a restart from a
    // snapshot, a repeated batch): handled again, it would move the peak equity to old marks and
    // fill resting orders a second time from volume already used. It changes nothing.
    if (state.last !== undefined && candle.timestamp <= state.last.timestamp) return NO_FILLS;
    if (this.#rulesWanted.size > 0) this.#retryRules(symbol);
    const previous = state.last === undefined ? Number.NEGATIVE_INFINITY : state.last.timestamp;
    state.last = candle;
    state.mark = candle.close;
    state.consumed = 0;
    state.history.push(candle);
    // A book taken before this candle opened is stale: market orders stop filling against it (at
    // prices the market has left) and fill from candles again until a fresh book arrives.
    if (state.book !== undefined && state.book.timestamp < candle.timestamp) state.book = undefined;
    if (candle.timestamp > this.#figures[MARKET_TIME]!) this.#figures[MARKET_TIME] = candle.timestamp;
    const fills = state.open.length === 0 ? NO_FILLS : this.#match(state, candle, previous);
    this.#mark(candle.timestamp);
    return fills;
  }

  /** Remembers the latest book of a symbol: market orders then fill against its depth. */
  onOrderBook(book: OrderBook): void {
    this.#symbol(book.symbol).book = copyBook(book);
  }

  /**
   * Fills what the candle reaches among the open orders placed before it was handed in (an order
   * placed between two candles, on any clock, fills from the next one). The first leg of a
   * one-cancels-the-other pair to fill takes the shared reservation and cancels the other.
   * `previous`: the open time of the symbol's candle before this one.
   */
  #match(state: SymbolState, candle: Candle, previous: number): Fill[] {
    const fills: Fill[] = [];
    const open = state.open;
    for (const order of open) {
      if (!this.#isOpen(order) || !(candle.timestamp > order.after)) continue;
      // Of a one-cancels-the-other pair, a leg the open executes came first: a candle that gaps up
      // through the take-profit and then falls through the stop-loss took profit at the open. (When
      // both are reached only inside the candle, the order of prices is unknown: the stop-loss, placed
      // first, fills.)
      const other = this.#openPartner(order);
      if (other !== undefined && other.index > order.index && other.after < candle.timestamp && executesAtOpen(other, candle) && !executesAtOpen(order, candle)) continue;
      const time = Math.max(candle.timestamp, order.order.createdAt);
      let execution: Execution | undefined;
      if (order.type === 'limit' && executesAtOpen(order, candle)) {
        // The open is through a limit order's price. Placed after the previous candle, the order
        // reaches the market at this open: it takes there, or, post-only, is refused (as Binance
        // refuses a LIMIT_MAKER that would match). Resting on the book since an earlier candle, it is
        // what the market went through: a maker. Either way at the open: a paper fill never leaves
        // the candle's range.
        const arriving = this.#settings.fill !== 'signal-close' && !(previous > order.after);
        if (arriving && order.postOnly === true) {
          this.#closeRecord(order, 'rejected', time, `post-only: the market opened at ${candle.open}, through its price ${order.price}: it would have taken liquidity`);
          continue;
        }
        execution = { price: candle.open, liquidity: arriving ? 'taker' : 'maker' };
      } else {
        execution = candleExecution(order, candle);
      }
      if (execution !== undefined) {
        if (other !== undefined) {
          order.locked += other.locked;
          other.locked = 0;
        }
        if (fillOnCandle(this.#context(), state, order, execution.price, execution.liquidity, candle, time)) {
          this.#recordFill(order, fills);
          if (other !== undefined) this.#closeRecord(other, 'cancelled', time, `one-cancels-the-other: ${order.order.clientOrderId} filled`);
        }
      }
      this.#settleStarved(order, time);
    }
    const still: PaperOrder[] = [];
    for (const order of open) {
      if (this.#isOpen(order)) {
        still.push(order);
      } else {
        this.#archiveOrder(order);
        this.#closed();
      }
    }
    state.open = still;
    return fills;
  }

  /** The order at a position in creation order: the working order while open, else made from the archive. */
  #at(index: number): PaperOrder | undefined {
    return this.#orders[index] ?? this.#archive.get(index);
  }

  /** The order placed with a client order id, if any (closed ones are made from the archive: read them only). */
  #lookup(clientOrderId: string): PaperOrder | undefined {
    const index = this.#byClientId.get(clientOrderId);
    return index === undefined ? undefined : this.#at(index);
  }

  /** Moves a closed order to the archive. */
  #archiveOrder(order: PaperOrder): void {
    this.#archive.put(order.index, order);
    this.#orders[order.index] = undefined;
  }

  /** The open other leg of an order's one-cancels-the-other pair, if any. */
  #openPartner(order: PaperOrder): PaperOrder | undefined {
    if (order.oco === undefined) return undefined;
    const index = this.#byClientId.get(order.oco);
    const partner = index === undefined ? undefined : this.#orders[index];
    return partner !== undefined && this.#isOpen(partner) ? partner : undefined;
  }

  /**
   * Closes an open order without a further fill, cancelled or rejected (the exchange will not
   * execute it), and releases what it still reserves (the caller removes it from the open list).
   */
  #closeRecord(order: PaperOrder, status: 'cancelled' | 'rejected', time: number, reason: string): void {
    const record = order.order;
    record.status = status;
    record.reason = reason;
    record.updatedAt = time;
    this.#releaseLock(order);
  }

  /** What fills need (made once: fills happen tens of thousands of times in a backtest). */
  #fillContext: FillContext | undefined;

  #context(): FillContext {
    return (this.#fillContext ??= fillContext(this.#ledger, this.#settings));
  }

  /** Logs the fill just booked for an order (in the fill context's booking); `into` gets it as a fill object. */
  #recordFill(order: PaperOrder, into?: Fill[]): void {
    const booking = this.#context().booking;
    this.#fills.pushBooked(order, booking, booking.feeInBase ? order.base : order.quote);
    into?.push(this.#fills.last());
  }

  /** An order whose funds ran out mid-fill keeps what it got; the rest is cancelled (rejected if nothing filled). */
  #settleStarved(order: PaperOrder, time: number): void {
    if (!order.starved || !this.#isOpen(order)) return;
    this.#closeRecord(order, order.order.filled > 0 ? 'cancelled' : 'rejected', time, 'insufficient funds at fill time');
  }

  #isOpen(order: PaperOrder): boolean {
    return order.order.status === 'open' || order.order.status === 'partially-filled';
  }

  #closed(): void {
    this.#openCount -= 1;
    if (this.#openCount === 0) this.#ledger.clearLocks();
  }

  #releaseLock(order: PaperOrder): void {
    this.#ledger.release(order.side === 'buy' ? order.quote : order.base, order.locked);
    order.locked = 0;
  }

  /** Values the balances at the latest marks and tracks peak and day-start equity. */
  #mark(timestamp: number): void {
    const day = Math.floor(timestamp / DAY_MS);
    const before = this.#figures[EQUITY]!;
    this.#revalue();
    if (day !== this.#day) {
      this.#figures[DAY_START_EQUITY] = this.#day === -1 ? this.#figures[EQUITY]! : before;
      this.#day = day;
    }
  }

  /**
   * Sets the equity to the quote balance plus every other balance at its latest mark, and the peak.
   * (It stores rather than returns the value: a number returned from a call that is not inlined is
   * heap-allocated, once a candle.)
   */
  #revalue(): void {
    const balances = this.#ledger.balances;
    const valuers = this.#valuers;
    const held = this.#valuerBalances;
    // The ledger keeps one record per asset for good (a restore resets `#valuedAssets`).
    if (balances.size !== this.#valuedAssets || held.length !== valuers.length) {
      this.#valuedAssets = balances.size;
      this.#quoteBalance = balances.get(this.#settings.quoteCurrency);
      for (let index = 0; index < valuers.length; index += 1) held[index] = balances.get(valuers[index]!.base);
    }
    // Summed in the Float64Array itself: a number variable carried around this loop was boxed on each addition.
    const figures = this.#figures;
    figures[EQUITY] = this.#quoteBalance?.total ?? 0;
    for (let index = 0; index < valuers.length; index += 1) {
      const state = valuers[index]!;
      const balance = held[index];
      if (balance !== undefined && balance.total !== 0 && state.mark === state.mark) figures[EQUITY] += balance.total * state.mark;
    }
    if (figures[EQUITY]! > figures[PEAK_EQUITY]!) figures[PEAK_EQUITY] = figures[EQUITY]!;
  }

  /** Places an order; the same clientOrderId twice returns the first order. */
  async createOrder(request: OrderRequest): Promise<Order> {
    const symbol = (request as Partial<OrderRequest> | undefined)?.symbol;
    if (typeof symbol === 'string' && symbol.length > 0) await this.loadMarkets([symbol]);
    return this.placeOrder(request);
  }

  /**
   * Takes the market rules (amount and price steps, minimums) of symbols without configured ones
   * from the market-data source, so that orders are rounded and refused as that exchange would
   * (`fetchMarket` reported its rules, orders did not follow them). `createOrder` does it for its
   * symbol; callers of the synchronous `placeOrder` (the engine) call it once at start. Rules
   * already known are not asked again; without a market-data source it does nothing. When the
   * source cannot answer (the exchange unreachable at start), it rejects, and the symbol's next
   * candles ask again in the background until the rules are in.
   */
  async loadMarkets(symbols: readonly string[]): Promise<void> {
    const source = this.#options.marketData;
    if (source === undefined) return;
    for (const symbol of symbols) {
      if (this.#settings.markets[symbol] !== undefined || this.#loadedMarkets.has(symbol)) continue;
      let market: MarketInfo;
      try {
        market = await source.fetchMarket(symbol);
      } catch (error) {
        this.#rulesWanted.add(symbol);
        throw error;
      }
      this.#rulesWanted.delete(symbol);
      this.#loadedMarkets.set(symbol, market);
      const state = this.#symbols.get(symbol);
      if (state !== undefined) state.market = market;
    }
  }

  /** Asks again, in the background, for rules that could not be loaded (one request at a time). */
  #retryRules(symbol: string): void {
    if (this.#loadingRules !== undefined || !this.#rulesWanted.has(symbol)) return;
    this.#loadingRules = this.loadMarkets([symbol])
      .catch(() => undefined)
      .finally(() => {
        this.#loadingRules = undefined;
      });
  }

  /** Synchronous `createOrder`, for callers in a hot loop. */
  placeOrder(input: OrderRequest): Order {
    const request = checkOrderRequest(input);
    const existing = this.#lookup(request.clientOrderId);
    if (existing !== undefined) return copyOrder(existing.order);
    const state = this.#symbol(request.symbol);
    const admitted = checkMarketRules(state.market, request, state.mark);
    if (admitted.postOnly === true) refuseTaking(admitted, state);
    const placed = this.#place(this.#sellable(admitted, state), state);
    // An order that closed as it was placed (a market order filled at the signal close) lives on in
    // the archive's columns: its record is no longer the exchange's, and goes to the caller as it is.
    return this.#isOpen(placed) ? copyOrder(placed.order) : placed.order;
  }

  /**
   * A sell of a hair more than is free (at most a billionth: float dust of an amount summed
   * elsewhere, as the engine sums an entry's fills to protect it) sells what is free instead of
   * being refused. Exchanges round amounts to their lot step, so the dust never reaches them.
   */
  #sellable(request: OrderRequest, state: SymbolState): OrderRequest {
    if (request.side !== 'sell') return request;
    const free = this.#ledger.free(state.base);
    return request.amount > free && request.amount - free <= request.amount * 1e-9 ? { ...request, amount: free } : request;
  }

  /** Places an admitted request; with a `partner`, the two share the partner's reservation (one-cancels-the-other). */
  #place(request: OrderRequest, state: SymbolState, partner?: PaperOrder): PaperOrder {
    const lock = lockFor(this.#settings, request, state);
    const asset = request.side === 'buy' ? state.quote : state.base;
    const needed = partner === undefined ? lock : Math.max(0, lock - partner.locked);
    const free = this.#ledger.free(asset);
    if (needed > free) {
      throw new ExchangeError('INSUFFICIENT_FUNDS', `${request.side} ${request.amount} ${request.symbol} needs ${lock} ${asset}, ${free} is free`, {
        details: { clientOrderId: request.clientOrderId, asset, needed: lock, free },
      });
    }
    const order = this.#register(request, state, needed);
    if (partner !== undefined) {
      order.oco = partner.order.clientOrderId;
      partner.oco = order.order.clientOrderId;
    }
    this.#fillAtOnce(order, state);
    if (!this.#isOpen(order)) this.#removeOpen(order, state);
    return order;
  }

  /** Places a stop-loss and a take-profit on one holding as one-cancels-the-other. */
  async createOcoOrder(request: OcoRequest): Promise<[Order, Order]> {
    return this.placeOcoOrder(request);
  }

  /**
   * Synchronous `createOcoOrder`: both legs reserve the holding once; the first to fill cancels the
   * other, as does cancelling either. The same two client order ids again return the same orders.
   */
  placeOcoOrder(input: OcoRequest): [Order, Order] {
    const request = parseWith(ocoRequestSchema, input, 'OCO order request');
    const legs = [request.stopLoss, request.takeProfit] as const;
    const [stopLoss, takeProfit] = legs.map((leg) => this.#lookup(leg.clientOrderId));
    if (stopLoss !== undefined && takeProfit !== undefined && stopLoss.oco === request.takeProfit.clientOrderId) return [copyOrder(stopLoss.order), copyOrder(takeProfit.order)];
    const used = stopLoss ?? takeProfit;
    if (used !== undefined) throw new ExchangeError('INVALID_ORDER', `client order id ${used.order.clientOrderId} belongs to another order`, { details: { clientOrderId: used.order.clientOrderId } });
    const state = this.#symbol(request.symbol);
    const amount = this.#sellable({ clientOrderId: request.stopLoss.clientOrderId, symbol: request.symbol, side: 'sell', type: 'stop-loss', amount: request.amount }, state).amount;
    // Both legs are checked before either is placed: a refused leg leaves nothing behind.
    const [stopRequest, profitRequest] = legs.map((leg, index) => {
      const order: OrderRequest = { clientOrderId: leg.clientOrderId, symbol: request.symbol, side: 'sell', type: index === 0 ? 'stop-loss' : 'take-profit', amount, stopPrice: leg.stopPrice };
      if (request.decisionId !== undefined) order.decisionId = request.decisionId;
      return checkMarketRules(state.market, order, state.mark);
    }) as [OrderRequest, OrderRequest];
    const placedStop = this.#place(stopRequest, state);
    const placedProfit = this.#place(profitRequest, state, placedStop);
    return [copyOrder(placedStop.order), copyOrder(placedProfit.order)];
  }

  #register(request: OrderRequest, state: SymbolState, locked: number): PaperOrder {
    const now = this.#now();
    this.#orderCounter += 1;
    const index = this.#orders.length;
    const order = newPaperOrder(request, state, index, `${this.#settings.idPrefix}-${this.#orderCounter}`, now, locked);
    this.#ledger.lock(request.side === 'buy' ? state.quote : state.base, locked);
    this.#orders.push(order);
    this.#byClientId.set(order.order.clientOrderId, index);
    this.#lastPlaced = order;
    this.#lastPlacedId = order.order.clientOrderId;
    this.#figures[LAST_PLACED_AT] = now;
    state.open.push(order);
    this.#openCount += 1;
    return order;
  }

  /** Market orders fill at once against a known book; in `signal-close` mode at the last close. */
  #fillAtOnce(order: PaperOrder, state: SymbolState): void {
    const now = this.#now();
    let filled = false;
    if (order.type === 'market' && state.book !== undefined) {
      filled = fillOnBook(this.#context(), state.book, order, now);
    } else if (this.#settings.fill === 'signal-close' && state.last !== undefined) {
      if (executesAtClose(order, state.last)) filled = fillOnCandle(this.#context(), state, order, state.last.close, 'taker', state.last, now);
    }
    if (filled) {
      this.#recordFill(order);
      this.#revalue();
    }
    this.#settleStarved(order, now);
  }

  #removeOpen(order: PaperOrder, state: SymbolState): void {
    const index = state.open.indexOf(order);
    if (index >= 0) state.open.splice(index, 1);
    this.#archiveOrder(order);
    this.#closed();
  }

  /** Cancels an open order and releases what it locked. */
  async cancelOrder(orderId: string, symbol: string): Promise<Order> {
    const order = this.#find(orderId, symbol);
    if (!this.#isOpen(order)) {
      throw new ExchangeError('ORDER_NOT_FOUND', `order ${orderId} is ${order.order.status} and cannot be cancelled`, { details: { orderId, status: order.order.status } });
    }
    const partner = this.#openPartner(order);
    this.#closeRecord(order, 'cancelled', this.#now(), 'cancelled by the caller');
    this.#removeOpen(order, this.#symbol(symbol));
    // Cancelling one leg of a one-cancels-the-other pair cancels the pair (as Binance does).
    if (partner !== undefined) {
      this.#closeRecord(partner, 'cancelled', this.#now(), `one-cancels-the-other: ${order.order.clientOrderId} cancelled`);
      this.#removeOpen(partner, this.#symbol(symbol));
    }
    return copyOrder(order.order);
  }

  #find(orderId: string, symbol: string): PaperOrder {
    let index = orderNumber(orderId) - 1;
    // Orders restored from elsewhere may be numbered otherwise: then look the id up among all.
    if (this.#idAt(index) !== orderId) index = this.#orders.findIndex((_, at) => this.#idAt(at) === orderId);
    const order = index < 0 ? undefined : this.#at(index);
    if (order === undefined || order.order.symbol !== symbol) {
      throw new ExchangeError('ORDER_NOT_FOUND', `no order ${orderId} for ${symbol}`, { details: { orderId, symbol } });
    }
    return order;
  }

  #idAt(index: number): string | undefined {
    return this.#orders[index]?.order.id ?? this.#archive.id(index);
  }

  /** Looks an order up by its id. */
  async fetchOrder(orderId: string, symbol: string): Promise<Order> {
    return copyOrder(this.#find(orderId, symbol).order);
  }

  /** Looks an order up by client order id; undefined when none was placed with it. */
  async fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<Order | undefined> {
    const order = this.#lookup(clientOrderId);
    return order === undefined || order.order.symbol !== symbol ? undefined : copyOrder(order.order);
  }

  /** Synchronous `fetchOrderByClientId` (any symbol). */
  orderByClientId(clientOrderId: string): Order | undefined {
    const order = this.#lookup(clientOrderId);
    return order === undefined ? undefined : copyOrder(order.order);
  }

  /** The fills of one order so far, oldest first: walks back from the newest fill to the order's creation. */
  fillsOf(clientOrderId: string): Fill[] {
    const last = this.#lastPlaced;
    // (Its own copy of the id and time: the record of an order closed on placement went to the caller.)
    const latest = last !== undefined && this.#lastPlacedId === clientOrderId;
    const order = latest ? last : this.#lookup(clientOrderId);
    if (order === undefined || order.fillCount === 0) return [];
    // Filled from the back into an array of the known size (an order placed at the signal close has one fill).
    const fills = new Array<Fill>(order.fillCount);
    let found = 0;
    const since = latest ? this.#figures[LAST_PLACED_AT]! : order.order.createdAt;
    const log = this.#fills;
    for (let index = log.length - 1; index >= 0 && found < order.fillCount; index -= 1) {
      if (log.timestamp(index) < since) break;
      if (log.clientOrderId(index) === clientOrderId) fills[order.fillCount - 1 - found++] = log.get(index);
    }
    return found === order.fillCount ? fills : fills.slice(order.fillCount - found);
  }

  /** How many orders are open, across symbols. */
  openOrderCount(): number {
    return this.#openCount;
  }

  /** Open orders of one symbol or all, oldest first. */
  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    const states = symbol === undefined ? [...this.#symbols.values()] : [this.#symbol(symbol)];
    return states.flatMap((state) => state.open.map((order) => copyOrder(order.order))).sort((a, b) => a.createdAt - b.createdAt || orderNumber(a.id) - orderNumber(b.id));
  }

  /** Fills of one symbol or all, since a time. */
  async fetchFills(symbol?: string, since = 0): Promise<Fill[]> {
    // Fills are kept in time order: walk back from the newest, so asking for recent fills costs
    // what it returns, not the whole history (the engine asks after every order).
    const log = this.#fills;
    let start = log.length;
    while (start > 0 && log.timestamp(start - 1) >= since) start -= 1;
    const recent: Fill[] = [];
    for (let index = start; index < log.length; index += 1) if (symbol === undefined || log.symbol(index) === symbol) recent.push(log.get(index));
    return recent;
  }

  /** Balances by asset. */
  async fetchBalance(): Promise<Balances> {
    return this.#ledger.toBalances();
  }

  /** Market rules of a symbol: the configured ones, else the market-data source's, else none. */
  async fetchMarket(symbol: string): Promise<MarketInfo> {
    if (this.#settings.markets[symbol] === undefined && this.#options.marketData !== undefined) return this.#options.marketData.fetchMarket(symbol);
    return marketFor(this.#settings, symbol);
  }

  /** Ticker from the latest candle (and book), else from the market-data source. */
  async fetchTicker(symbol: string): Promise<Ticker> {
    const ticker = tickerFrom(this.#symbols.get(symbol), this.#now());
    if (ticker !== undefined) return ticker;
    if (this.#options.marketData !== undefined) return this.#options.marketData.fetchTicker(symbol);
    throw noMarketData('seen no candle', symbol);
  }

  /** The latest order book given, else the market-data source's. */
  async fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
    const book = orderBookFrom(this.#symbols.get(symbol), limit);
    if (book !== undefined) return book;
    if (this.#options.marketData !== undefined) return this.#options.marketData.fetchOrderBook(symbol, limit);
    throw noMarketData('no order book', symbol);
  }

  /** Recent candles seen (up to `historyLimit`), else the market-data source's. */
  async fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    const candles = candlesFrom(this.#symbols.get(symbol), since, limit);
    if (candles === undefined && this.#options.marketData !== undefined) return this.#options.marketData.fetchOHLCV(symbol, timeframe, since, limit);
    return candles ?? [];
  }

  /** Equity at the latest mark, without building a portfolio (backtests sample it every candle). */
  get equity(): number {
    return this.#figures[EQUITY]!;
  }

  /** Base amount held through a symbol (0 when flat). */
  holding(symbol: string): number {
    return this.#ledger.positions.get(symbol)?.amount ?? 0;
  }

  /** The latest close of a symbol (NaN before its first candle). */
  readonly #markOf = (symbol: string): number => this.#symbols.get(symbol)?.mark ?? Number.NaN;

  /** Cash, positions and equity at the latest marks. */
  getPortfolio(): Portfolio {
    return {
      timestamp: this.#now(),
      quoteCurrency: this.#settings.quoteCurrency,
      cash: this.#ledger.free(this.#settings.quoteCurrency),
      equity: this.#figures[EQUITY]!,
      peakEquity: this.#figures[PEAK_EQUITY]!,
      dayStartEquity: this.#figures[DAY_START_EQUITY]!,
      balances: this.#ledger.toBalances(),
      positions: this.#ledger.toPositions(this.#markOf),
    };
  }

  /**
   * Everything needed to continue after a restart: balances, positions, orders, fills, marks.
   * With `keepClosedFor`, orders that closed longer ago than that many milliseconds (by the
   * exchange's clock) are left out with their fills, so that the snapshot of an account that runs
   * for months stays the size of its recent history (a restored exchange no longer finds those by
   * id or client order id, nor lists their fills; its balances, positions, open orders and order
   * ids go on the same).
   */
  snapshot(options: { keepClosedFor?: number } = {}): PaperExchangeState {
    const since = options.keepClosedFor === undefined ? undefined : this.#now() - options.keepClosedFor;
    const orders: PaperExchangeState['orders'] = [];
    const fills: Fill[] = [];
    // Client order ids of the closed orders left out, whose fills go too.
    const dropped = new Set<string>();
    for (let index = 0; index < this.#orders.length; index += 1) {
      const order = this.#at(index)!;
      if (since !== undefined && order.order.updatedAt < since && !this.#isOpen(order)) dropped.add(order.order.clientOrderId);
      else orders.push(savedOrder(order));
    }
    const log = this.#fills;
    for (let index = 0; index < log.length; index += 1) if (dropped.size === 0 || !dropped.has(log.clientOrderId(index))) fills.push(log.get(index));
    return {
      version: 1,
      marketTime: this.#figures[MARKET_TIME]!,
      orderCounter: this.#orderCounter,
      equity: { current: this.#figures[EQUITY]!, peak: this.#figures[PEAK_EQUITY]!, dayStart: this.#figures[DAY_START_EQUITY]!, day: this.#day },
      balances: Object.fromEntries([...this.#ledger.balances].map(([asset, balance]) => [asset, { ...balance }])),
      positions: [...this.#ledger.positions.values()].map((position) => ({ ...position })),
      orders,
      fills,
      lastCandles: Object.fromEntries([...this.#symbols.values()].filter((state) => state.last !== undefined).map((state) => [state.symbol, { ...state.last! }])),
      // What fills took of the latest candle and of the latest book: a restart between two candles
      // must not find that volume or that depth again.
      volumeTaken: Object.fromEntries([...this.#symbols.values()].filter((state) => state.consumed > 0).map((state) => [state.symbol, state.consumed])),
      books: Object.fromEntries([...this.#symbols.values()].filter((state) => state.book !== undefined).map((state) => [state.symbol, copyBook(state.book!)])),
    };
  }

  /** Replaces this exchange's state with a snapshot (validated). Used by `createPaperExchange({ state })`. */
  restore(input: PaperExchangeState): void {
    const state = parseWith(paperStateSchema, input, 'paper exchange state', 'DATA_INVALID');
    this.#figures[MARKET_TIME] = state.marketTime;
    this.#orderCounter = state.orderCounter;
    ({ current: this.#figures[EQUITY], peak: this.#figures[PEAK_EQUITY], dayStart: this.#figures[DAY_START_EQUITY], day: this.#day } = state.equity);
    this.#ledger.balances.clear();
    this.#valuedAssets = -1;
    this.#lastPlaced = undefined;
    this.#lastPlacedId = '';
    for (const [asset, balance] of Object.entries(state.balances)) this.#ledger.balances.set(asset, { ...balance });
    for (const position of state.positions) this.#ledger.positions.set(position.symbol, { ...position });
    for (const [symbol, candle] of Object.entries(state.lastCandles)) {
      const symbolState = this.#symbol(symbol);
      symbolState.last = candle;
      symbolState.mark = candle.close;
      symbolState.history.push(candle);
    }
    for (const [symbol, taken] of Object.entries(state.volumeTaken ?? {})) this.#symbol(symbol).consumed = taken;
    for (const [symbol, book] of Object.entries(state.books ?? {})) this.#symbol(symbol).book = copyBook(book);
    for (const saved of state.orders) this.#restoreOrder(saved);
    for (const fill of state.fills) this.#fills.pushSaved(fill);
  }

  #restoreOrder(saved: PaperExchangeState['orders'][number]): void {
    const state = this.#symbol(saved.order.symbol);
    const index = this.#orders.length;
    const order = paperOrderFromSaved(saved, state, index);
    this.#orders.push(order);
    this.#byClientId.set(order.order.clientOrderId, index);
    if (this.#isOpen(order)) {
      state.open.push(order);
      this.#openCount += 1;
    } else {
      this.#archiveOrder(order);
    }
  }
}

/** A book whose levels fills may consume without touching the caller's. */
function copyBook(book: OrderBook): OrderBook {
  return { ...book, bids: book.bids.map(([price, amount]) => [price, amount]), asks: book.asks.map(([price, amount]) => [price, amount]) };
}

function orderNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1)) || 0;
}

/**
 * Creates a paper exchange, optionally continuing from a saved `state`.
 * @example
 * const exchange = createPaperExchange({ balances: { USDT: 10_000 }, takerFee: 0.001 });
 * exchange.onCandle('BTC/USDT', candle);
 * await exchange.createOrder({ clientOrderId: 'a1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 });
 */
export function createPaperExchange(options: PaperExchangeOptions & { state?: PaperExchangeState } = {}): PaperExchange {
  const { state, ...rest } = options;
  const exchange = new PaperExchange(rest);
  if (state !== undefined) exchange.restore(state);
  return exchange;
}
