import type { Candle, MarketInfo, Order, OrderBook, OrderRequest, RingBuffer } from '@ia-agents/core';
import type { RuleOrder } from './fill-rules.js';

/** An order inside the paper exchange: the public record plus matching state. */
export interface PaperOrder extends RuleOrder {
  /** The public record (copied out, never handed out). */
  readonly order: Order;
  /** Position in the exchange's creation order (where it is archived once closed). */
  readonly index: number;
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
  oco: string | undefined;
}

/** What the paper exchange knows about one symbol. */
export interface SymbolState {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Market rules (precision, minimums) of the symbol: configured, or loaded from the market-data source. */
  market: MarketInfo;
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

/** A new open order: its public record and its matching state (`extreme` starts at the mark). */
export function newPaperOrder(request: OrderRequest, state: SymbolState, index: number, id: string, now: number, locked: number): PaperOrder {
  const after = state.last === undefined ? Number.NEGATIVE_INFINITY : state.last.timestamp;
  // Every field the record may ever have is here from the start, in the order it would otherwise be
  // added (JSON leaves the undefined ones out, so the output is the same): an order then never
  // changes shape, where each optional field, the first fill and a cancellation used to move it to a
  // new hidden class and grow a property array, on the path a backtest takes tens of thousands of times.
  const record: Order = {
    id,
    clientOrderId: request.clientOrderId,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    amount: request.amount,
    filled: 0,
    remaining: request.amount,
    status: 'open',
    createdAt: now,
    updatedAt: now,
    price: request.price,
    stopPrice: request.stopPrice,
    trailingPercent: request.trailingPercent,
    postOnly: request.postOnly === true ? true : undefined,
    decisionId: request.decisionId,
    averagePrice: undefined,
    fee: undefined,
    reason: undefined,
  };
  return { order: record, index, base: state.base, quote: state.quote, side: request.side, type: request.type, price: request.price, stopPrice: request.stopPrice, trailingPercent: request.trailingPercent, postOnly: request.postOnly === true, triggered: false, extreme: state.mark, locked, fillCount: 0, starved: false, after, oco: undefined };
}
