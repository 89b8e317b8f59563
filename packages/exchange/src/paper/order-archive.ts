import type { Order, OrderSide, OrderStatus, OrderType } from '@ia-agents/core';
import { grown } from '../util/typed-columns.js';
import type { PaperOrder } from './paper-order.js';

const SIDES: readonly OrderSide[] = ['buy', 'sell'];
const TYPES: readonly OrderType[] = ['market', 'limit', 'stop-loss', 'take-profit', 'trailing-stop'];
const STATUSES: readonly OrderStatus[] = ['open', 'partially-filled', 'filled', 'cancelled', 'rejected'];

// The numbers of a row, in `#numbers` (NaN stands for an absent optional number).
const AMOUNT = 0;
const FILLED = 1;
const REMAINING = 2;
const CREATED_AT = 3;
const UPDATED_AT = 4;
const PRICE = 5;
const STOP_PRICE = 6;
const TRAILING_PERCENT = 7;
const AVERAGE_PRICE = 8;
const FEE_COST = 9;
const EXTREME = 10;
const LOCKED = 11;
const AFTER = 12;
const NUMBERS = 13;

// The small codes of a row, in `#codes`.
const SIDE = 0;
const TYPE = 1;
const STATUS = 2;
const FLAGS = 3;
const CODES = 4;
const TRIGGERED = 1;
const STARVED = 2;
const HAS_FEE = 4;
const POST_ONLY = 8;

const optional = (value: number | undefined): number => (value === undefined ? Number.NaN : value);
const present = (value: number): number | undefined => (Number.isNaN(value) ? undefined : value);

/**
 * The orders of a paper exchange that are closed (filled, cancelled, rejected), kept column-wise:
 * numbers in one Float64Array, codes in one Uint8Array, and only the strings as objects. A closed
 * order can no longer change, and a backtest closes tens of thousands of them: kept as objects
 * (the record, the working order, their boxed numbers, the fee), every one was copied by the
 * young-generation collector and marked again by the old one, about a quarter of a backtest's time.
 * `get` hands back a working order made afresh from the row, which callers only read.
 */
export class OrderArchive {
  #numbers = new Float64Array(NUMBERS * 64);
  #codes = new Uint8Array(CODES * 64);
  #fillCounts = new Int32Array(64);
  // The strings, one list each (references to the strings the order held: no object per order).
  readonly #ids: (string | undefined)[] = [];
  readonly #clientOrderIds: (string | undefined)[] = [];
  readonly #symbols: (string | undefined)[] = [];
  readonly #bases: (string | undefined)[] = [];
  readonly #quotes: (string | undefined)[] = [];
  readonly #decisionIds: (string | undefined)[] = [];
  readonly #reasons: (string | undefined)[] = [];
  readonly #feeCurrencies: (string | undefined)[] = [];
  readonly #ocos: (string | undefined)[] = [];

  /** Archives a closed order at its position in creation order. */
  put(index: number, paper: PaperOrder): void {
    this.#reserve(index + 1);
    if (index > this.#ids.length) this.#fillUpTo(index);
    const order = paper.order;
    const numbers = this.#numbers;
    const row = index * NUMBERS;
    numbers[row + AMOUNT] = order.amount;
    numbers[row + FILLED] = order.filled;
    numbers[row + REMAINING] = order.remaining;
    numbers[row + CREATED_AT] = order.createdAt;
    numbers[row + UPDATED_AT] = order.updatedAt;
    numbers[row + PRICE] = optional(order.price);
    numbers[row + STOP_PRICE] = optional(order.stopPrice);
    numbers[row + TRAILING_PERCENT] = optional(order.trailingPercent);
    numbers[row + AVERAGE_PRICE] = optional(order.averagePrice);
    numbers[row + FEE_COST] = order.fee === undefined ? 0 : order.fee.cost;
    numbers[row + EXTREME] = paper.extreme;
    numbers[row + LOCKED] = paper.locked;
    numbers[row + AFTER] = paper.after;
    const codes = this.#codes;
    const at = index * CODES;
    codes[at + SIDE] = SIDES.indexOf(order.side);
    codes[at + TYPE] = TYPES.indexOf(order.type);
    codes[at + STATUS] = STATUSES.indexOf(order.status);
    codes[at + FLAGS] = (paper.triggered ? TRIGGERED : 0) | (paper.starved ? STARVED : 0) | (order.fee === undefined ? 0 : HAS_FEE) | (paper.postOnly === true ? POST_ONLY : 0);
    this.#fillCounts[index] = paper.fillCount;
    this.#ids[index] = order.id;
    this.#clientOrderIds[index] = order.clientOrderId;
    this.#symbols[index] = order.symbol;
    this.#bases[index] = paper.base;
    this.#quotes[index] = paper.quote;
    this.#decisionIds[index] = order.decisionId;
    this.#reasons[index] = order.reason;
    this.#feeCurrencies[index] = order.fee?.currency;
    this.#ocos[index] = paper.oco;
  }

  /** The order's id, without making the order. */
  id(index: number): string | undefined {
    return this.#ids[index];
  }

  /** The archived order at `index`, made afresh (the same fields, in the same order, as when it was archived). */
  get(index: number): PaperOrder | undefined {
    const id = this.#ids[index];
    if (id === undefined) return undefined;
    const numbers = this.#numbers;
    const row = index * NUMBERS;
    const codes = this.#codes;
    const at = index * CODES;
    const side = SIDES[codes[at + SIDE]!]!;
    const type = TYPES[codes[at + TYPE]!]!;
    const flags = codes[at + FLAGS]!;
    const price = present(numbers[row + PRICE]!);
    const stopPrice = present(numbers[row + STOP_PRICE]!);
    const trailingPercent = present(numbers[row + TRAILING_PERCENT]!);
    const order: Order = {
      id,
      clientOrderId: this.#clientOrderIds[index]!,
      symbol: this.#symbols[index]!,
      side,
      type,
      amount: numbers[row + AMOUNT]!,
      filled: numbers[row + FILLED]!,
      remaining: numbers[row + REMAINING]!,
      status: STATUSES[codes[at + STATUS]!]!,
      createdAt: numbers[row + CREATED_AT]!,
      updatedAt: numbers[row + UPDATED_AT]!,
      price,
      stopPrice,
      trailingPercent,
      postOnly: (flags & POST_ONLY) === 0 ? undefined : true,
      decisionId: this.#decisionIds[index],
      averagePrice: present(numbers[row + AVERAGE_PRICE]!),
      fee: (flags & HAS_FEE) === 0 ? undefined : { cost: numbers[row + FEE_COST]!, currency: this.#feeCurrencies[index]! },
      reason: this.#reasons[index],
    };
    return {
      order,
      index,
      base: this.#bases[index]!,
      quote: this.#quotes[index]!,
      side,
      type,
      price,
      stopPrice,
      trailingPercent,
      postOnly: (flags & POST_ONLY) !== 0,
      triggered: (flags & TRIGGERED) !== 0,
      extreme: numbers[row + EXTREME]!,
      locked: numbers[row + LOCKED]!,
      fillCount: this.#fillCounts[index]!,
      starved: (flags & STARVED) !== 0,
      after: numbers[row + AFTER]!,
      oco: this.#ocos[index],
    };
  }

  /**
   * Fills the string lists up to `index` with undefined: orders close out of order, and a list
   * written far past its end would turn into a slow dictionary.
   */
  #fillUpTo(index: number): void {
    for (const list of [this.#ids, this.#clientOrderIds, this.#symbols, this.#bases, this.#quotes, this.#decisionIds, this.#reasons, this.#feeCurrencies, this.#ocos]) {
      while (list.length < index) list.push(undefined);
    }
  }

  /** Grows the columns (doubling) to hold `rows` rows. */
  #reserve(rows: number): void {
    if (rows <= this.#fillCounts.length) return;
    let capacity = this.#fillCounts.length;
    while (capacity < rows) capacity *= 2;
    this.#numbers = grown(this.#numbers, capacity * NUMBERS);
    this.#codes = grown(this.#codes, capacity * CODES);
    this.#fillCounts = grown(this.#fillCounts, capacity);
  }
}
