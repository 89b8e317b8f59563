import type { Candle, OrderSide } from '@ia-agents/core';
import type { Slippage } from './paper-options.js';

/** An open order as the fill rules see it. */
export interface RuleOrder {
  side: OrderSide;
  type: 'market' | 'limit' | 'stop-loss' | 'take-profit' | 'trailing-stop';
  price?: number | undefined;
  stopPrice?: number | undefined;
  trailingPercent?: number | undefined;
  /** A post-only limit order: it fills as a maker or not at all. */
  postOnly?: boolean | undefined;
  /** Whether a stop order has fired. */
  triggered: boolean;
  /** Best price seen since placement (trailing stops): highest for sells, lowest for buys. */
  extreme: number;
}

/** Where and how a candle executes an order. */
export interface Execution {
  /** Price before slippage. */
  price: number;
  /** Taker fills pay slippage and the taker fee. */
  liquidity: 'maker' | 'taker';
}

/**
 * The price at which a candle executes a resting limit order, or undefined. A candle that opens
 * through the limit fills at the open (a taker gap); one that trades through it fills at the limit.
 */
export function limitExecution(side: OrderSide, limit: number, candle: Candle): Execution | undefined {
  if (side === 'buy') {
    if (candle.open <= limit) return { price: candle.open, liquidity: 'taker' };
    return candle.low <= limit ? { price: limit, liquidity: 'maker' } : undefined;
  }
  if (candle.open >= limit) return { price: candle.open, liquidity: 'taker' };
  return candle.high >= limit ? { price: limit, liquidity: 'maker' } : undefined;
}

/** Relative rounding within which a price touches a stop level. */
const TOUCH = 1e-12;

/** Whether a stop fires on a falling price (sell stop-loss, buy take-profit) or a rising one. */
function firesOnFall(order: RuleOrder): boolean {
  return (order.type === 'stop-loss') === (order.side === 'sell');
}

/** The trigger level of a stop order for this candle (trailing stops use the best price so far). */
export function stopLevel(order: RuleOrder): number {
  if (order.type !== 'trailing-stop') return order.stopPrice ?? Number.NaN;
  const distance = order.trailingPercent ?? 0;
  return order.side === 'sell' ? order.extreme * (1 - distance) : order.extreme * (1 + distance);
}

/**
 * Whether the candle reaches the order's stop, and at what price: the open when the candle gaps
 * through the stop, else the stop itself. Trailing stops then follow the candle's extreme.
 */
export function stopExecution(order: RuleOrder, candle: Candle): Execution | undefined {
  const level = stopLevel(order);
  const falling = order.type === 'trailing-stop' ? order.side === 'sell' : firesOnFall(order);
  let price: number | undefined;
  // A computed level (105 * 0.98 is 102.8999...) counts as touched by a price within rounding of it
  // (102.9), as an exchange reckoning in ticks or BIPS triggers there; the fill stays inside the candle.
  if (falling) {
    const reach = level * (1 + TOUCH);
    price = candle.open <= reach ? candle.open : candle.low <= reach ? Math.max(level, candle.low) : undefined;
  } else {
    const reach = level * (1 - TOUCH);
    price = candle.open >= reach ? candle.open : candle.high >= reach ? Math.min(level, candle.high) : undefined;
  }
  if (price === undefined && order.type === 'trailing-stop') {
    order.extreme = order.side === 'sell' ? Math.max(order.extreme, candle.high) : Math.min(order.extreme, candle.low);
  }
  return price === undefined ? undefined : { price, liquidity: 'taker' };
}

/**
 * Whether the candle's open alone executes the order (a gap through its stop or limit): it came
 * first in the candle, before anything reached only inside the range. Reads the order, changes nothing.
 */
export function executesAtOpen(order: RuleOrder, candle: Candle): boolean {
  if (order.type === 'market') return true;
  if (order.type === 'limit') return order.side === 'buy' ? candle.open <= order.price! : candle.open >= order.price!;
  if (order.triggered) return order.price === undefined || (order.side === 'buy' ? candle.open <= order.price : candle.open >= order.price);
  const level = order.type === 'trailing-stop' && Number.isNaN(order.extreme) ? Number.NaN : stopLevel(order);
  if (Number.isNaN(level)) return false;
  const falling = order.type === 'trailing-stop' ? order.side === 'sell' : firesOnFall(order);
  const fires = falling ? candle.open <= level * (1 + TOUCH) : candle.open >= level * (1 - TOUCH);
  // A stop-limit fired at the open executes there only if its limit takes the open.
  return fires && (order.price === undefined || (order.side === 'buy' ? candle.open <= order.price : candle.open >= order.price));
}

/** Slippage in basis points of one taker fill. */
export function slippageBps(model: Slippage, amount: number, candleVolume: number): number {
  if (model.model === 'fixed') return model.bps;
  const share = candleVolume > 0 ? Math.min(1, amount / candleVolume) : 1;
  return model.bps + model.impactBps * Math.sqrt(share);
}

/** Moves a price against the trader by `bps` and keeps it inside the candle's range. */
export function slip(price: number, side: OrderSide, bps: number, candle: Candle): number {
  if (bps === 0) return price;
  const moved = side === 'buy' ? price * (1 + bps / 10_000) : price * (1 - bps / 10_000);
  return Math.min(candle.high, Math.max(candle.low, moved));
}

/** How an open order executes on a candle, if it does (stops trigger first; a triggered stop-limit then acts as a limit). */
export function candleExecution(order: RuleOrder, candle: Candle): Execution | undefined {
  if (Number.isNaN(order.extreme)) order.extreme = candle.open;
  if (order.type === 'market') return { price: candle.open, liquidity: 'taker' };
  if (order.type === 'limit') return limitExecution(order.side, order.price!, candle);
  if (!order.triggered) {
    const triggered = stopExecution(order, candle);
    if (triggered === undefined) return undefined;
    order.triggered = true;
    if (order.price === undefined) return triggered;
    return limitExecution(order.side, order.price, { ...candle, open: triggered.price });
  }
  return order.price === undefined ? { price: candle.open, liquidity: 'taker' } : limitExecution(order.side, order.price, candle);
}

/**
 * Whether a limit order would execute against the market at `price` (the best ask for a buy, the
 * best bid for a sell; the last close when no book is known): what a post-only order must not do.
 */
export function takesAt(order: Pick<RuleOrder, 'side' | 'price'>, price: number): boolean {
  return order.side === 'buy' ? order.price! >= price : order.price! <= price;
}

/** In `signal-close` mode: whether the order executes at the last close, as a taker (a market order, or a marketable limit order). */
export function executesAtClose(order: RuleOrder, last: Candle): boolean {
  if (order.type === 'market') return true;
  // A post-only order that would take here was refused when placed (see `refuseTaking`).
  if (order.type !== 'limit' || order.postOnly === true) return false;
  return takesAt(order, last.close);
}
