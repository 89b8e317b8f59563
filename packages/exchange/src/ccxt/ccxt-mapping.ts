import type { Balances, Candle, Fill, MarketInfo, Order, OrderBook, OrderStatus, Ticker } from '@ia-agents/core';

/** The parts of ccxt's unified structures we read (ccxt types them loosely). */
export interface CcxtMarket {
  /** The exchange's own market id (Binance: `BTCUSDT`). */
  id: string;
  symbol: string;
  base: string;
  quote: string;
  precision: { amount?: number | undefined; price?: number | undefined };
  limits: { amount?: { min?: number | undefined }; cost?: { min?: number | undefined } };
  spot?: boolean | undefined;
  /** The exchange's raw market (Binance: the exchangeInfo symbol, with `ocoAllowed`). */
  info?: unknown;
}

export interface CcxtOrder {
  id: string;
  clientOrderId?: string | undefined;
  symbol: string;
  side: string;
  type?: string | undefined;
  amount?: number | undefined;
  filled?: number | undefined;
  remaining?: number | undefined;
  price?: number | undefined;
  average?: number | undefined;
  triggerPrice?: number | undefined;
  status?: string | undefined;
  fee?: { cost?: number | undefined; currency?: string | undefined } | undefined;
  timestamp?: number | undefined;
  lastTradeTimestamp?: number | undefined;
  lastUpdateTimestamp?: number | undefined;
  /** Placed post-only (Binance LIMIT_MAKER). */
  postOnly?: boolean | undefined;
  /** The exchange's raw order. */
  info?: unknown;
}

/** Market rules from a ccxt market (binance uses tick-size precision: steps, not digit counts). */
export function toMarketInfo(market: CcxtMarket): MarketInfo {
  return {
    symbol: market.symbol,
    base: market.base,
    quote: market.quote,
    ...(market.precision.amount === undefined ? {} : { amountStep: market.precision.amount }),
    ...(market.precision.price === undefined ? {} : { priceStep: market.precision.price }),
    ...(market.limits.amount?.min === undefined ? {} : { minAmount: market.limits.amount.min }),
    ...(market.limits.cost?.min === undefined ? {} : { minNotional: market.limits.cost.min }),
  };
}

/** Our status of a ccxt order. */
export function status(order: CcxtOrder): OrderStatus {
  if (order.status === 'closed') return 'filled';
  // Cancelled or expired, part-filled or not: over (its fills, if any, stay a position).
  if (order.status === 'canceled' || order.status === 'expired') return 'cancelled';
  if (order.status === 'rejected') return 'rejected';
  return (order.filled ?? 0) > 0 ? 'partially-filled' : 'open';
}

const TYPES: Record<string, Order['type']> = { market: 'market', limit: 'limit', limit_maker: 'limit', stop_loss: 'stop-loss', stop_loss_limit: 'stop-loss', take_profit: 'take-profit', take_profit_limit: 'take-profit' };

/**
 * Our order type. ccxt folds Binance's spot STOP_LOSS and TAKE_PROFIT into `market` (and their
 * _LIMIT forms into `limit`), so the exchange's own type in `info` is read first.
 */
function orderType(order: CcxtOrder, fallback: Order['type'] | undefined): Order['type'] {
  if (trailingFraction(order) !== undefined) return 'trailing-stop';
  // Binance's own type: `type` in a REST answer, `o` in an executionReport (ccxt reads a stop-loss's there as market).
  const info = order.info as { type?: unknown; o?: unknown } | undefined;
  const raw = info?.type ?? info?.o;
  return TYPES[String(raw).toLowerCase()] ?? TYPES[String(order.type).toLowerCase()] ?? fallback ?? 'market';
}

/** The trailing distance of a Binance trailing stop (its `trailingDelta`, BIPS) as a fraction, else undefined. */
function trailingFraction(order: CcxtOrder): number | undefined {
  // `trailingDelta` in a REST answer, `d` in an executionReport.
  const info = order.info as { trailingDelta?: unknown; d?: unknown } | undefined;
  const delta = Number(info?.trailingDelta ?? info?.d);
  return delta > 0 ? delta / 10_000 : undefined;
}

/** A time that is one (Binance's -1 means none). */
function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/** Our order from ccxt's unified order (`fallback` fills what the exchange left out). */
export function toOrder(order: CcxtOrder, fallback: Partial<Order> = {}): Order {
  const amount = order.amount ?? fallback.amount ?? 0;
  const filled = order.filled ?? 0;
  // Binance answers a stop order it has not triggered yet with `workingTime: -1` and no `time`, and
  // ccxt reads that -1 as the order's time: the placement's `transactTime` is the time it was made.
  const created = positive(order.timestamp) ?? positive(Number((order.info as { transactTime?: unknown } | undefined)?.transactTime)) ?? fallback.createdAt ?? 0;
  return {
    id: String(order.id),
    clientOrderId: order.clientOrderId ?? fallback.clientOrderId ?? String(order.id),
    symbol: order.symbol,
    side: order.side === 'sell' ? 'sell' : 'buy',
    type: orderType(order, fallback.type),
    amount,
    filled,
    remaining: order.remaining ?? Math.max(0, amount - filled),
    status: status(order),
    createdAt: created,
    updatedAt: order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? created,
    ...(order.price !== undefined && order.price > 0 ? { price: order.price } : {}),
    ...(order.triggerPrice !== undefined && order.triggerPrice > 0 ? { stopPrice: order.triggerPrice } : {}),
    ...(trailingFraction(order) === undefined ? {} : { trailingPercent: trailingFraction(order)! }),
    ...(order.postOnly === true ? { postOnly: true } : {}),
    ...(order.average !== undefined && order.average > 0 ? { averagePrice: order.average } : {}),
    ...(order.fee?.cost !== undefined && order.fee.currency !== undefined ? { fee: { cost: order.fee.cost, currency: order.fee.currency } } : {}),
    ...(fallback.decisionId === undefined ? {} : { decisionId: fallback.decisionId }),
  };
}

/** Balances from ccxt's unified balance (assets with nothing are left out). */
export function toBalances(balance: Record<string, unknown>): Balances {
  const result: Balances = {};
  const totals = (balance.total ?? {}) as Record<string, number | undefined>;
  const free = (balance.free ?? {}) as Record<string, number | undefined>;
  const used = (balance.used ?? {}) as Record<string, number | undefined>;
  for (const [asset, total] of Object.entries(totals)) {
    if (total === undefined || total === 0) continue;
    result[asset] = { free: free[asset] ?? 0, used: used[asset] ?? 0, total };
  }
  return result;
}

/** A ccxt OHLCV row `[ts, o, h, l, c, v]` as a candle. */
export function toCandle(row: readonly (number | undefined)[]): Candle {
  return { timestamp: row[0]!, open: row[1]!, high: row[2]!, low: row[3]!, close: row[4]!, volume: row[5] ?? 0 };
}

/** Our ticker from ccxt's. */
export function toTicker(ticker: { symbol: string; timestamp?: number | undefined; bid?: number | undefined; ask?: number | undefined; last?: number | undefined; close?: number | undefined; baseVolume?: number | undefined; percentage?: number | undefined }, now: number): Ticker {
  return {
    symbol: ticker.symbol,
    timestamp: ticker.timestamp ?? now,
    last: ticker.last ?? ticker.close ?? 0,
    ...(ticker.bid ? { bid: ticker.bid } : {}),
    ...(ticker.ask ? { ask: ticker.ask } : {}),
    ...(ticker.baseVolume === undefined ? {} : { baseVolume: ticker.baseVolume }),
    ...(ticker.percentage === undefined ? {} : { percentage: ticker.percentage }),
  };
}

/** Our order book from ccxt's. */
export function toOrderBook(symbol: string, book: { timestamp?: number | undefined; bids: (number | undefined)[][]; asks: (number | undefined)[][] }, now: number): OrderBook {
  const levels = (side: (number | undefined)[][]) => side.map((level) => [level[0]!, level[1]!] as [number, number]);
  return { symbol, timestamp: book.timestamp ?? now, bids: levels(book.bids), asks: levels(book.asks) };
}

/** The parts of ccxt's unified trade we read. */
export interface CcxtTrade {
  id?: string | undefined;
  order?: string | undefined;
  symbol?: string | undefined;
  side?: string | undefined;
  price?: number | undefined;
  amount?: number | undefined;
  timestamp?: number | undefined;
  takerOrMaker?: string | undefined;
  fee?: { cost?: number | undefined; currency?: string | undefined } | undefined;
}

/** Our fill from one of ccxt's trades (`quote` is the fee currency when the exchange names none). */
export function toFill(trade: CcxtTrade, clientOrderId: string, quote: string): Fill {
  return {
    id: String(trade.id),
    orderId: String(trade.order),
    clientOrderId,
    symbol: String(trade.symbol),
    side: trade.side === 'sell' ? 'sell' : 'buy',
    price: trade.price ?? 0,
    amount: trade.amount ?? 0,
    fee: { cost: trade.fee?.cost ?? 0, currency: trade.fee?.currency ?? quote },
    liquidity: trade.takerOrMaker === 'maker' ? 'maker' : 'taker',
    timestamp: trade.timestamp ?? 0,
  };
}
