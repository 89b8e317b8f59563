import type { Candle, OrderBook } from '@ia-agents/core';
import { slip, slippageBps, type Execution } from './fill-rules.js';
import type { Booking, PaperLedger } from './paper-ledger.js';
import type { PaperExchangeSettings } from './paper-options.js';
import type { PaperOrder, SymbolState } from './paper-order.js';

/** What a fill needs besides the order. */
export interface FillContext {
  readonly ledger: PaperLedger;
  readonly settings: PaperExchangeSettings;
  /**
   * The one booking record the ledger is handed, refilled for every fill: the ledger reads it and
   * keeps nothing of it, and a new record per fill cost four boxed numbers on the hottest path.
   */
  readonly booking: Booking;
}

/** A context for a ledger and settings. */
export function fillContext(ledger: PaperLedger, settings: PaperExchangeSettings): FillContext {
  return { ledger, settings, booking: { symbol: '', base: '', quote: '', amount: 0, price: 0, fee: 0, time: 0, maker: false, feeInBase: false } };
}

/** Volume of the candle that fills may still take. */
export function volumeLeft(settings: PaperExchangeSettings, state: SymbolState, candle: Candle): number {
  if (settings.volumeShare === null) return Number.POSITIVE_INFINITY;
  return Math.max(0, settings.volumeShare * candle.volume - state.consumed);
}

/**
 * Executes the order at `at` (the price before slippage) against a candle: caps the amount by the
 * candle's volume, applies slippage inside the candle's range, then books it. Returns whether
 * something filled; the fill is then in `context.booking` (see `book`).
 */
export function fillOnCandle(context: FillContext, state: SymbolState, order: PaperOrder, at: number, liquidity: Execution['liquidity'], candle: Candle, time: number): boolean {
  const amount = Math.min(order.order.remaining, volumeLeft(context.settings, state, candle));
  if (!(amount > 0)) return false;
  const bps = liquidity === 'taker' ? slippageBps(context.settings.slippage, amount, candle.volume) : 0;
  const price = slip(at, order.side, bps, candle);
  if (!book(context, order, price, amount, liquidity, time)) return false;
  state.consumed += context.booking.amount;
  return true;
}

/**
 * Executes a market order against a known order book at once, level by level (consuming the levels
 * it takes), as one fill at the volume-weighted price. Returns false when the book side is empty
 * (else the fill is in `context.booking`, see `book`).
 */
export function fillOnBook(context: FillContext, bookState: OrderBook, order: PaperOrder, time: number): boolean {
  const levels = order.side === 'buy' ? bookState.asks : bookState.bids;
  let wanted = order.order.remaining;
  let amount = 0;
  let value = 0;
  let lowest = Number.POSITIVE_INFINITY;
  let highest = 0;
  while (wanted > 0 && levels.length > 0) {
    const [price, size] = levels[0]!;
    const taken = Math.min(size, wanted);
    amount += taken;
    value += taken * price;
    lowest = Math.min(lowest, price);
    highest = Math.max(highest, price);
    wanted -= taken;
    if (taken >= size) levels.shift();
    else levels[0] = [price, size - taken];
  }
  if (!(amount > 0)) return false;
  // The volume-weighted price, kept between the levels taken (rounding made one level's 100 into 99.999...).
  return book(context, order, Math.min(highest, Math.max(lowest, value / amount)), amount, 'taker', time);
}

/**
 * Books a trade after shrinking it to the funds the order may use, and updates the order. Returns
 * whether anything was booked; what was (amount, price, fee, time, liquidity) is in
 * `context.booking` until the next fill. No fill object is made: the caller logs the booking (a
 * backtest reads most fills never, or once at the end; the log makes them when read).
 */
function book(context: FillContext, order: PaperOrder, price: number, wanted: number, liquidity: 'maker' | 'taker', time: number): boolean {
  const { ledger, settings } = context;
  const rate = liquidity === 'maker' ? settings.makerFee : settings.takerFee;
  const feeInBase = order.side === 'buy' && settings.buyFeeIn === 'base';
  const amount = affordable(context, order, wanted, price, feeInBase ? 0 : rate);
  if (amount < wanted) order.starved = true;
  if (!(amount > 0)) return false;
  // In the quote asset, or in the asset bought (a buy with `buyFeeIn: 'base'`).
  const fee = feeInBase ? amount * rate : amount * rate * price;
  const asset = order.side === 'buy' ? order.quote : order.base;
  // A part fill releases its share of the order's reservation, or more when it costs more than that
  // share (a buy whose price gapped above the one it reserved at): what free funds do not cover comes
  // out of the rest of its own reservation, so that what stays reserved is still there to pay for.
  const cost = order.side === 'sell' ? amount : feeInBase ? amount * price : amount * price + fee;
  const release = amount >= order.order.remaining ? order.locked : Math.min(order.locked, Math.max(order.locked * (amount / order.order.remaining), cost - ledger.free(asset)));
  order.locked -= release;
  ledger.release(asset, release);
  const booking = context.booking;
  booking.symbol = order.order.symbol;
  booking.base = order.base;
  booking.quote = order.quote;
  booking.amount = amount;
  booking.price = price;
  booking.fee = fee;
  booking.time = time;
  booking.maker = liquidity === 'maker';
  booking.feeInBase = feeInBase;
  if (order.side === 'buy') ledger.buy(booking);
  else ledger.sell(booking);
  record(order, booking, feeInBase ? order.base : order.quote);
  return true;
}

/** The largest part of `amount` the order can pay for (buys: quote incl. fee; sells: base). */
function affordable(context: FillContext, order: PaperOrder, amount: number, price: number, rate: number): number {
  const { ledger } = context;
  if (order.side === 'sell') return Math.min(amount, ledger.free(order.base) + order.locked);
  const available = ledger.free(order.quote) + order.locked;
  if (amount * price + amount * rate * price <= available) return amount;
  // Shrink a hair below the exact quotient so rounding can never overdraw the balance.
  return (available / (price * (1 + rate))) * (1 - 1e-12);
}

/** Updates the order record with a booked fill. */
function record(order: PaperOrder, booking: Booking, feeCurrency: string): void {
  const record = order.order;
  const filledBefore = record.filled;
  record.filled = filledBefore + booking.amount;
  const remaining = record.amount - record.filled;
  record.remaining = remaining <= record.amount * 1e-12 ? 0 : remaining;
  record.averagePrice = filledBefore === 0 ? booking.price : ((record.averagePrice ?? booking.price) * filledBefore + booking.price * booking.amount) / record.filled;
  record.fee = { cost: (record.fee?.cost ?? 0) + booking.fee, currency: feeCurrency };
  record.status = record.remaining === 0 ? 'filled' : 'partially-filled';
  record.updatedAt = booking.time;
  order.fillCount += 1;
}
