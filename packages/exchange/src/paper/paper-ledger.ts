import type { Balances, Position } from '@ia-agents/core';

/** Total and locked amount of one asset; free = total - used. */
export interface AssetBalance {
  total: number;
  used: number;
}

/** A holding bought through one symbol. */
export interface PositionState {
  symbol: string;
  amount: number;
  /** Average fill price of what is held, without fees (backtrader's `pprice`). */
  costPrice: number;
  /** Average fill price of what is held, buy fees included. */
  entryPrice: number;
  realizedPnl: number;
  openedAt: number;
  markPrice: number;
}

/** One fill as the ledger books it. */
export interface Booking {
  symbol: string;
  base: string;
  quote: string;
  amount: number;
  price: number;
  /** The fee, in the quote asset, or in the base asset for a buy when `feeInBase`. */
  fee: number;
  time: number;
  /** Whether the fill provided liquidity (maker fee) rather than took it. */
  maker: boolean;
  /** Whether a buy's fee is charged in the asset bought (the holding grows by amount - fee). */
  feeInBase: boolean;
}

/**
 * Balances and positions of the paper exchange. Cash moves in the same order of operations as
 * backtrader's broker (value, then commission) so a reproduction matches it to the last bit.
 */
export class PaperLedger {
  readonly balances = new Map<string, AssetBalance>();
  readonly positions = new Map<string, PositionState>();

  constructor(initial: Record<string, number>) {
    for (const [asset, amount] of Object.entries(initial)) this.balances.set(asset, { total: amount, used: 0 });
  }

  /** The balance record of an asset, created empty on first use. */
  asset(asset: string): AssetBalance {
    let balance = this.balances.get(asset);
    if (balance === undefined) {
      balance = { total: 0, used: 0 };
      this.balances.set(asset, balance);
    }
    return balance;
  }

  /** Amount of an asset not locked in orders. */
  free(asset: string): number {
    const balance = this.balances.get(asset);
    return balance === undefined ? 0 : Math.max(0, balance.total - balance.used);
  }

  /** Locks `amount` of an asset for an order. */
  lock(asset: string, amount: number): void {
    this.asset(asset).used += amount;
  }

  /** Releases a lock (never below zero). */
  release(asset: string, amount: number): void {
    const balance = this.asset(asset);
    balance.used = Math.max(0, balance.used - amount);
  }

  /** Drops the float dust of released locks once no order is open. */
  clearLocks(): void {
    for (const balance of this.balances.values()) balance.used = 0;
  }

  /** Books a buy: pays value then fee in the quote asset, receives the base asset (less the fee when it is charged there). */
  buy(booking: Booking): void {
    const quote = this.asset(booking.quote);
    const quoteFee = booking.feeInBase ? 0 : booking.fee;
    quote.total -= booking.amount * booking.price;
    quote.total -= quoteFee;
    // Float dust of a fill sized to the last cent is dropped; anything more is a bug left visible (a
    // negative balance the invariant tests catch), never turned into money by clamping.
    if (quote.total < 0 && quote.total > -1e-9 * (booking.amount * booking.price + quoteFee)) quote.total = 0;
    this.asset(booking.base).total += booking.feeInBase ? booking.amount - booking.fee : booking.amount;
    this.#openOrAdd(booking);
  }

  /** Books a sell: gives the base asset, receives the value then pays the fee in quote. */
  sell(booking: Booking): void {
    const base = this.asset(booking.base);
    base.total = Math.max(0, base.total - booking.amount);
    const position = this.positions.get(booking.symbol);
    const cost = position === undefined || position.amount === 0 ? booking.price : position.costPrice;
    const quote = this.asset(booking.quote);
    quote.total += booking.amount * cost + booking.amount * (booking.price - cost);
    quote.total -= booking.fee;
    if (position !== undefined) this.#reduce(position, booking);
  }

  #openOrAdd(booking: Booking): void {
    const position = this.positions.get(booking.symbol);
    // What the holding grew by, and what it cost in the quote asset, fee included either way.
    const received = booking.feeInBase ? booking.amount - booking.fee : booking.amount;
    const paid = booking.amount * booking.price + (booking.feeInBase ? 0 : booking.fee);
    if (position === undefined || position.amount === 0) {
      const realizedPnl = position?.realizedPnl ?? 0;
      this.positions.set(booking.symbol, {
        symbol: booking.symbol,
        amount: received,
        costPrice: booking.price,
        entryPrice: booking.feeInBase ? paid / received : booking.price + booking.fee / booking.amount,
        realizedPnl,
        openedAt: booking.time,
        markPrice: position?.markPrice ?? booking.price,
      });
      return;
    }
    const amount = position.amount + received;
    position.costPrice = (position.amount * position.costPrice + received * booking.price) / amount;
    // (Summed in this order when the cash pays the fee: backtests that reproduce other engines depend on the last bit.)
    position.entryPrice = booking.feeInBase ? (position.amount * position.entryPrice + paid) / amount : (position.amount * position.entryPrice + booking.amount * booking.price + booking.fee) / amount;
    position.amount = amount;
  }

  #reduce(position: PositionState, booking: Booking): void {
    const sold = Math.min(position.amount, booking.amount);
    position.realizedPnl += sold * (booking.price - position.entryPrice) - booking.fee;
    position.amount -= sold;
    // Float dust left by selling "everything" must not keep a phantom position open.
    if (position.amount <= sold * 1e-12) position.amount = 0;
  }

  /** Balances in the core shape. */
  toBalances(): Balances {
    const result: Balances = {};
    for (const [asset, balance] of this.balances) {
      const used = Math.min(balance.used, balance.total);
      result[asset] = { free: balance.total - used, used, total: balance.total };
    }
    return result;
  }

  /** Open positions in the core shape, marked at `markOf` (latest close by symbol, NaN when none). */
  toPositions(markOf: (symbol: string) => number): Position[] {
    const result: Position[] = [];
    for (const position of this.positions.values()) {
      if (position.amount <= 0) continue;
      const mark = markOf(position.symbol);
      if (mark === mark) position.markPrice = mark;
      result.push({
        symbol: position.symbol,
        amount: position.amount,
        averageEntryPrice: position.entryPrice,
        markPrice: position.markPrice,
        realizedPnl: position.realizedPnl,
        unrealizedPnl: (position.markPrice - position.entryPrice) * position.amount,
        openedAt: position.openedAt,
      });
    }
    return result;
  }
}
