import type { Fill, Order } from '@ia-agents/core';
import type { Booking } from './paper-ledger.js';
import { grown } from '../util/typed-columns.js';

// The numbers of a fill, in `#numbers`.
const PRICE = 0;
const AMOUNT = 1;
const FEE = 2;
const TIME = 3;
const NUMBERS = 4;

/**
 * Every fill of a paper exchange in time order, kept column-wise: the numbers in one Float64Array,
 * the strings as references to those the order already holds (no new object per fill; the fill id
 * `<orderId>-<n>` is made when a fill is read). A backtest keeps tens of thousands of fills, and
 * as objects (the fill, its fee, their boxed numbers, its id) the garbage collector copied and
 * marked every one. `get` makes a fill afresh, the same fields in the same order as it was given.
 */
export class FillLog {
  #numbers = new Float64Array(NUMBERS * 64);
  #sells = new Uint8Array(64);
  #makers = new Uint8Array(64);
  #counts = new Int32Array(64);
  readonly #orderIds: string[] = [];
  readonly #clientOrderIds: string[] = [];
  readonly #symbols: string[] = [];
  readonly #feeCurrencies: string[] = [];
  /** Ids that are not `<orderId>-<n>` (a restored snapshot may hold some), by position. */
  readonly #otherIds = new Map<number, string>();
  #length = 0;

  /** How many fills it holds. */
  get length(): number {
    return this.#length;
  }

  /** Appends a fill, the `count`-th of its order, whose id is `<orderId>-<count>` (as the exchange makes them). */
  push(fill: Fill, count: number): void {
    this.#append(fill.orderId, fill.clientOrderId, fill.symbol, fill.side === 'sell', fill.liquidity === 'maker', fill.price, fill.amount, fill.fee.cost, fill.fee.currency, fill.timestamp, count);
  }

  /**
   * Appends the fill the paper exchange just booked for an order (its `fillCount`-th), without a fill
   * object in between: most fills are only logged, and read later if at all.
   */
  pushBooked(order: { readonly order: Pick<Order, 'id' | 'clientOrderId' | 'symbol' | 'side'>; readonly fillCount: number }, booking: Booking, feeCurrency: string): void {
    const record = order.order;
    this.#append(record.id, record.clientOrderId, record.symbol, record.side === 'sell', booking.maker, booking.price, booking.amount, booking.fee, feeCurrency, booking.time, order.fillCount);
  }

  #append(orderId: string, clientOrderId: string, symbol: string, sell: boolean, maker: boolean, price: number, amount: number, fee: number, feeCurrency: string, time: number, count: number): void {
    const index = this.#length;
    this.#reserve(index + 1);
    const row = index * NUMBERS;
    const numbers = this.#numbers;
    numbers[row + PRICE] = price;
    numbers[row + AMOUNT] = amount;
    numbers[row + FEE] = fee;
    numbers[row + TIME] = time;
    this.#sells[index] = sell ? 1 : 0;
    this.#makers[index] = maker ? 1 : 0;
    this.#counts[index] = count;
    this.#orderIds.push(orderId);
    this.#clientOrderIds.push(clientOrderId);
    this.#symbols.push(symbol);
    this.#feeCurrencies.push(feeCurrency);
    this.#length = index + 1;
  }

  /** The latest fill, made afresh. */
  last(): Fill {
    return this.get(this.#length - 1);
  }

  /** Appends a fill from a snapshot: its number is read from its id, which is kept as is when it has another form. */
  pushSaved(fill: Fill): void {
    const prefix = `${fill.orderId}-`;
    const suffix = fill.id.startsWith(prefix) ? Number(fill.id.slice(prefix.length)) : Number.NaN;
    const count = Number.isInteger(suffix) && suffix > 0 ? suffix : 0;
    const index = this.#length;
    this.push(fill, count);
    if (fill.id !== `${prefix}${count}`) this.#otherIds.set(index, fill.id);
  }

  /** The fill at `index`, made afresh. */
  get(index: number): Fill {
    const row = index * NUMBERS;
    const numbers = this.#numbers;
    const orderId = this.#orderIds[index]!;
    return {
      id: this.#otherIds.get(index) ?? `${orderId}-${this.#counts[index]}`,
      orderId,
      clientOrderId: this.#clientOrderIds[index]!,
      symbol: this.#symbols[index]!,
      side: this.#sells[index] === 1 ? 'sell' : 'buy',
      price: numbers[row + PRICE]!,
      amount: numbers[row + AMOUNT]!,
      fee: { cost: numbers[row + FEE]!, currency: this.#feeCurrencies[index]! },
      liquidity: this.#makers[index] === 1 ? 'maker' : 'taker',
      timestamp: numbers[row + TIME]!,
    };
  }

  /** The time of the fill at `index`. */
  timestamp(index: number): number {
    return this.#numbers[index * NUMBERS + TIME]!;
  }

  /** The client order id of the fill at `index`. */
  clientOrderId(index: number): string {
    return this.#clientOrderIds[index]!;
  }

  /** The symbol of the fill at `index`. */
  symbol(index: number): string {
    return this.#symbols[index]!;
  }

  /** Grows the columns (doubling) to hold `rows` fills. */
  #reserve(rows: number): void {
    if (rows <= this.#counts.length) return;
    const capacity = this.#counts.length * 2;
    this.#numbers = grown(this.#numbers, capacity * NUMBERS);
    this.#sells = grown(this.#sells, capacity);
    this.#makers = grown(this.#makers, capacity);
    this.#counts = grown(this.#counts, capacity);
  }
}
