import type { Fill } from '@ia-agents/core';
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
    const index = this.#length;
    this.#reserve(index + 1);
    const row = index * NUMBERS;
    const numbers = this.#numbers;
    numbers[row + PRICE] = fill.price;
    numbers[row + AMOUNT] = fill.amount;
    numbers[row + FEE] = fill.fee.cost;
    numbers[row + TIME] = fill.timestamp;
    this.#sells[index] = fill.side === 'sell' ? 1 : 0;
    this.#makers[index] = fill.liquidity === 'maker' ? 1 : 0;
    this.#counts[index] = count;
    this.#orderIds.push(fill.orderId);
    this.#clientOrderIds.push(fill.clientOrderId);
    this.#symbols.push(fill.symbol);
    this.#feeCurrencies.push(fill.fee.currency);
    this.#length = index + 1;
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
