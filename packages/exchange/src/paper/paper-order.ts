import type { Candle, Fill, MarketInfo, Order, OrderBook, OrderRequest, RingBuffer } from '@ia-agents/core';
import type { RuleOrder } from './fill-rules.js';

/** An order inside the paper exchange: the public record plus matching state. */
export interface PaperOrder extends RuleOrder {
  /** The public record (copied out, never handed out). */
  readonly order: Order;
  readonly base: string;
  readonly quote: string;
  /** Funds still locked for this order: quote for buys, base for sells. */
  locked: number;
  /** Fills so far (numbers the fill ids). */
  fillCount: number;
  /** Set when a fill was cut short because the funds ran out (the rest is then cancelled). */
  starved: boolean;
  /**
   * Open time of the latest candle of the symbol when the order was placed: it fills from the
   * candles after that one (the next candle handed in), never from one it was decided on.
   */
  after: number;
  /** The other leg of a one-cancels-the-other pair (its client order id): they share one reservation. */
  oco?: string;
}

/** What the paper exchange knows about one symbol. */
export interface SymbolState {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Market rules (precision, minimums) of the symbol. */
  readonly market: MarketInfo;
  /** Latest candle seen. */
  last: Candle | undefined;
  /** Latest close (NaN before the first candle). */
  mark: number;
  /** The last `historyLimit` candles for fetchOHLCV, oldest first (a ring: no allocation per candle). */
  history: RingBuffer<Candle>;
  /** Volume of `last` that fills have already taken. */
  consumed: number;
  /** Latest order book, when one was given. */
  book: OrderBook | undefined;
  /** Open orders of this symbol in creation order. */
  open: PaperOrder[];
}

/** A copy of an order record that callers may keep. */
export function copyOrder(order: Order): Order {
  return order.fee === undefined ? { ...order } : { ...order, fee: { ...order.fee } };
}

/** A copy of a fill. */
export function copyFill(fill: Fill): Fill {
  return { ...fill, fee: { ...fill.fee } };
}

/** A new open order: its public record and its matching state (`extreme` starts at the mark). */
export function newPaperOrder(request: OrderRequest, state: SymbolState, at: { id: string; now: number; locked: number }): PaperOrder {
  const after = state.last === undefined ? Number.NEGATIVE_INFINITY : state.last.timestamp;
  const record: Order = {
    id: at.id,
    clientOrderId: request.clientOrderId,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    amount: request.amount,
    filled: 0,
    remaining: request.amount,
    status: 'open',
    createdAt: at.now,
    updatedAt: at.now,
  };
  // Optional fields are assigned, not spread: conditional spreads make slow, oddly shaped objects
  // on the order path a backtest takes tens of thousands of times.
  if (request.price !== undefined) record.price = request.price;
  if (request.stopPrice !== undefined) record.stopPrice = request.stopPrice;
  if (request.trailingPercent !== undefined) record.trailingPercent = request.trailingPercent;
  if (request.decisionId !== undefined) record.decisionId = request.decisionId;
  return { order: record, base: state.base, quote: state.quote, side: request.side, type: request.type, price: request.price, stopPrice: request.stopPrice, trailingPercent: request.trailingPercent, triggered: false, extreme: state.mark, locked: at.locked, fillCount: 0, starved: false, after };
}
