import { createHash } from 'node:crypto';
import type { Decision, OrderBook, OrderRequest, Portfolio } from '@ia-agents/core';
import { estimateFill } from './order-book-analysis.js';

/** Settings of planOrders. */
export interface OrderPlanSettings {
  /** Equity and holdings (sizes a BUY by equity, a SELL by the position). */
  portfolio: Portfolio;
  /** The book, when known: slices are capped by its depth and refused when it cannot fill. */
  orderBook?: OrderBook;
  /** Size when the decision carries no plan, fraction of equity. @default 0.1 */
  defaultSizeFraction?: number;
  /** Largest slice as a fraction of the visible depth within 1 % of mid. @default 0.25 */
  maxSliceOfDepth?: number;
  /** Largest slice notional, quote currency. @default Infinity */
  maxSliceNotional?: number;
  /** Most slices before the order is refused as too large for the market. @default 10 */
  maxSlices?: number;
  /** Largest acceptable expected slippage of the whole order. @default 0.01 */
  maxSlippage?: number;
}

/** The orders for a decision, or why there are none. */
export interface OrderPlan {
  /** Market orders to send, in order (empty when refused or HOLD). */
  orders: OrderRequest[];
  /** Why nothing is sent, when nothing is. */
  refused?: string;
}

/**
 * Turns a decision into market orders: BUY spends `plan.sizeFraction` of equity, SELL sells the
 * held position; a large order is split into slices no bigger than a share of the visible depth;
 * an order the book cannot fill, or only with too much slippage, is refused. Client order ids
 * derive from the decision id, so replanning the same decision yields the same ids (no doubles).
 * @example
 * const { orders, refused } = planOrders(decision, { portfolio, orderBook });
 */
export function planOrders(decision: Decision, settings: OrderPlanSettings): OrderPlan {
  if (decision.action === 'HOLD') return { orders: [], refused: 'decision is HOLD' };
  const price = settings.orderBook === undefined ? decision.price : midOf(settings.orderBook) ?? decision.price;
  if (price === undefined) return { orders: [], refused: 'no price to size the order' };
  const amount = orderAmount(decision, settings, price);
  if (!(amount > 0)) return { orders: [], refused: decision.action === 'SELL' ? `no ${decision.symbol} position to sell` : 'no cash to buy with' };
  const side = decision.action === 'BUY' ? 'buy' : 'sell';
  let sliceLimit = (settings.maxSliceNotional ?? Number.POSITIVE_INFINITY) / price;
  if (settings.orderBook !== undefined) {
    const estimate = estimateFill(settings.orderBook, side, amount);
    if (!estimate.fillable) return { orders: [], refused: `the visible book cannot fill ${amount} ${decision.symbol}` };
    if (estimate.slippage > (settings.maxSlippage ?? 0.01)) return { orders: [], refused: `expected slippage ${(estimate.slippage * 100).toFixed(2)}% exceeds ${((settings.maxSlippage ?? 0.01) * 100).toFixed(2)}%` };
    sliceLimit = Math.min(sliceLimit, ((settings.maxSliceOfDepth ?? 0.25) * estimate.depth) / price);
  }
  const slices = Math.max(1, Math.ceil(amount / sliceLimit - 1e-9));
  if (slices > (settings.maxSlices ?? 10)) return { orders: [], refused: `order needs ${slices} slices (more than ${settings.maxSlices ?? 10}): too large for this market` };
  const base = createHash('sha256').update(decision.id).digest('hex').slice(0, 24);
  const orders = Array.from({ length: slices }, (_, index): OrderRequest => ({ clientOrderId: `ia-${base}-${index}`, symbol: decision.symbol, side, type: 'market', amount: amount / slices, decisionId: decision.id }));
  return { orders };
}

function orderAmount(decision: Decision, settings: OrderPlanSettings, price: number): number {
  const { portfolio } = settings;
  if (decision.action === 'SELL') return portfolio.positions.find((position) => position.symbol === decision.symbol)?.amount ?? 0;
  const fraction = decision.plan?.sizeFraction ?? settings.defaultSizeFraction ?? 0.1;
  return Math.min(portfolio.equity * fraction, Math.max(0, portfolio.cash)) / price;
}

function midOf(book: OrderBook): number | undefined {
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  return bid === undefined || ask === undefined ? undefined : (bid + ask) / 2;
}
