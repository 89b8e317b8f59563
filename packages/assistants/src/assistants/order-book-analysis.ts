import type { OrderBook, OrderBookLevel } from '@ia-agents/core';

/** What the book says about filling one order. */
export interface FillEstimate {
  /** (ask - bid) / mid. */
  spread: number;
  /** Mid price. */
  mid: number;
  /** Quote value available within `depthBand` of mid on the side the order takes. */
  depth: number;
  /** Volume-weighted fill price for the amount (NaN when the book cannot fill it). */
  averagePrice: number;
  /** |average price / best price - 1| (Infinity when the book cannot fill it). */
  slippage: number;
  /** Whether the visible book holds the whole amount. */
  fillable: boolean;
}

/**
 * Walks the side of the book an order takes (asks for a buy, bids for a sell) and estimates
 * spread, depth near mid and the slippage of filling `amount` (base asset).
 * @example
 * const { slippage, fillable } = estimateFill(book, 'buy', 0.5);
 */
export function estimateFill(book: OrderBook, side: 'buy' | 'sell', amount: number, depthBand = 0.01): FillEstimate {
  const bestBid = book.bids[0]?.[0];
  const bestAsk = book.asks[0]?.[0];
  if (bestBid === undefined || bestAsk === undefined) return { spread: Number.POSITIVE_INFINITY, mid: Number.NaN, depth: 0, averagePrice: Number.NaN, slippage: Number.POSITIVE_INFINITY, fillable: false };
  const mid = (bestBid + bestAsk) / 2;
  const levels = side === 'buy' ? book.asks : book.bids;
  const best = side === 'buy' ? bestAsk : bestBid;
  const depth = levels.filter(([price]) => Math.abs(price / mid - 1) <= depthBand).reduce((sum, [price, size]) => sum + price * size, 0);
  const { cost, filled } = walk(levels, amount);
  const fillable = filled >= amount * (1 - 1e-12);
  const averagePrice = fillable && amount > 0 ? cost / amount : Number.NaN;
  return { spread: (bestAsk - bestBid) / mid, mid, depth, averagePrice, slippage: fillable ? Math.abs(averagePrice / best - 1) : Number.POSITIVE_INFINITY, fillable };
}

function walk(levels: readonly OrderBookLevel[], amount: number): { cost: number; filled: number } {
  let remaining = amount;
  let cost = 0;
  for (const [price, size] of levels) {
    if (remaining <= 0) break;
    const take = Math.min(size, remaining);
    cost += take * price;
    remaining -= take;
  }
  return { cost, filled: amount - remaining };
}
