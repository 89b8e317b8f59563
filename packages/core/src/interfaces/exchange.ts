import type { Balances, Candle, Fill, OcoRequest, Order, OrderBook, OrderRequest, OrderStatus, Portfolio, Ticker, Timeframe } from '../schemas/index.js';

/**
 * Word from a venue's user-data stream that one of the account's orders changed (a fill, a
 * cancellation), or that the stream came back after a drop. It wakes the reader, which reads what
 * the update does not say through `fetchOrderByClientId` and `fetchFills`, so a lost update costs
 * time, never a fill.
 */
export interface OrderUpdate {
  /** The order's client order id, when the update names one. */
  clientOrderId?: string;
  /** Its unified symbol. */
  symbol?: string;
  /** Its status as the update tells it. */
  status?: OrderStatus;
  /**
   * The trade the update reports, when it reports one (Binance: an executionReport of a trade), as
   * `fetchFills` would return it (the same id): recorded at once, without asking for the fills.
   */
  fill?: Fill;
  /**
   * The order as the update tells it (Binance: the executionReport states the whole order), as
   * `fetchOrderByClientId` would have returned it then: the engine uses it instead of reading the
   * order again (a closed order's state is final; one still working is read again when it matters).
   */
  order?: Order;
  /** True on the first update after the stream reconnected: updates in between may be lost. */
  resumed: boolean;
}

/** Precision and limits of one market, as the exchange states them. */
export interface MarketInfo {
  /** Unified symbol, e.g. `BTC/USDT`. */
  symbol: string;
  /** Base asset, e.g. `BTC`. */
  base: string;
  /** Quote asset, e.g. `USDT`. */
  quote: string;
  /** Smallest amount step, when known. */
  amountStep?: number;
  /** Smallest price step, when known. */
  priceStep?: number;
  /** Smallest order amount, when known. */
  minAmount?: number;
  /** Smallest order notional (amount × price), when known. */
  minNotional?: number;
}

/**
 * A venue that holds balances and executes orders: live (ccxt) or simulated (paper). Implementations
 * translate their own errors to `ExchangeError` codes and make `createOrder` idempotent on
 * `clientOrderId`.
 */
export interface Exchange {
  /** Interface version. */
  readonly specificationVersion: 'v1';
  /** Exchange id, e.g. `binance` or `paper`. */
  readonly id: string;
  /** Market rules of a symbol. */
  fetchMarket(symbol: string): Promise<MarketInfo>;
  /** Balances by asset. */
  fetchBalance(): Promise<Balances>;
  /** Latest ticker. */
  fetchTicker(symbol: string): Promise<Ticker>;
  /** Current order book. */
  fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook>;
  /** Closed candles (and possibly the forming one from live venues). */
  fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]>;
  /** Places an order; the same clientOrderId twice returns the first order. */
  createOrder(request: OrderRequest): Promise<Order>;
  /** Cancels an open order and returns it. */
  cancelOrder(orderId: string, symbol: string): Promise<Order>;
  /** Looks an order up by exchange id. */
  fetchOrder(orderId: string, symbol: string): Promise<Order>;
  /** Looks an order up by client order id; undefined when the exchange never saw it. */
  fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<Order | undefined>;
  /** Open orders, of one symbol or all. */
  fetchOpenOrders(symbol?: string): Promise<Order[]>;
  /** Fills, of one symbol or all, since a time. */
  fetchFills?(symbol?: string, since?: number): Promise<Fill[]>;
  /**
   * Places a stop-loss and a take-profit on one holding as one-cancels-the-other: both reserve the
   * same holding once, and when one fills the exchange cancels the other. Returns
   * `[stopLoss, takeProfit]`; idempotent on the two client order ids. Where it is missing (or
   * `supportsOco` is false) the engine sends the two legs as separate orders: that works only on a
   * venue that reserves nothing for resting sells, elsewhere the second leg is refused (and recorded).
   */
  createOcoOrder?(request: OcoRequest): Promise<[Order, Order]>;
  /** Whether `createOcoOrder` works here (a ccxt exchange has the method everywhere, the order list only on some). @default true when the method exists */
  readonly supportsOco?: boolean;
  /**
   * The account's order updates as the venue pushes them (Binance's user-data stream), reconnecting
   * after a drop, until `signal` aborts. A live engine follows it and asks for fills as soon as one
   * of its orders changes, instead of at its next poll.
   */
  watchOrderUpdates?(options: { signal: AbortSignal }): AsyncIterable<OrderUpdate>;
  /** Whether `watchOrderUpdates` works here (it needs a streaming client and keys). @default true when the method exists */
  readonly supportsOrderUpdates?: boolean;
}

/**
 * An exchange that simulates fills from market data (paper trading, backtests). The engine hands
 * it every closed candle before the assistants see it; it returns the fills that candle caused.
 */
export interface SimulatedExchange extends Exchange {
  /** Processes a closed candle: fills or triggers open orders, marks positions. */
  onCandle(symbol: string, candle: Candle): Fill[];
  /** Latest order book, used for depth-limited fills when known. */
  onOrderBook?(book: OrderBook): void;
  /** Cash, positions (average entry, realised and unrealised PnL) and equity at the last mark. */
  getPortfolio(): Portfolio;
  /**
   * `createOrder` answered at once: a simulation has nothing to wait for. Throws what `createOrder`
   * rejects with. The engine uses it so that a backtest's decisions need no promise.
   */
  placeOrder(request: OrderRequest): Order;
  /** `fetchOrderByClientId` answered at once. */
  orderByClientId(clientOrderId: string): Order | undefined;
  /** The fills of one order so far, oldest first (empty for an unknown id). */
  fillsOf(clientOrderId: string): Fill[];
  /** How many orders are open, without building them (the risk gate's count). */
  openOrderCount(): number;
  /** `createOcoOrder` answered at once. */
  placeOcoOrder?(request: OcoRequest): [Order, Order];
}

/** Whether an exchange simulates fills from the engine's candles. */
export function isSimulatedExchange(exchange: Exchange): exchange is SimulatedExchange {
  return typeof (exchange as Partial<SimulatedExchange>).onCandle === 'function';
}
