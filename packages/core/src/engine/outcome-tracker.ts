import type { Action, Decision, TradeOutcome } from '../schemas/index.js';

/** A decision waiting for its outcome. */
interface Pending {
  decision: Decision;
  entryPrice: number;
  dueIndex: number;
}

/** A decision of an earlier process, due on the candle closing in (`dueAfter`, `latestClose`]. */
interface Resumed {
  decision: Decision;
  entryPrice: number;
  dueAfter: number;
  latestClose: number;
}

/**
 * Measures each decision's outcome `horizon` candles later: the price move, and the action that
 * would have been right (a move beyond the dead band up is BUY, down is SELL, else HOLD).
 */
export class OutcomeTracker {
  readonly #pending = new Map<string, Pending[]>();
  readonly #resumed = new Map<string, Resumed[]>();
  #resumedCount = 0;

  constructor(
    private readonly horizon: number,
    private readonly deadBand: number,
  ) {}

  /** Starts tracking a decision made at candle `index` of its symbol. */
  track(decision: Decision, entryPrice: number, index: number): void {
    // The same decision made again (a replay run over the same store) is tracked once, as made now.
    if (this.#resumedCount > 0) this.#forgetResumed(decision);
    const queue = this.#pending.get(decision.symbol) ?? [];
    queue.push({ decision, entryPrice, dueIndex: index + this.horizon });
    this.#pending.set(decision.symbol, queue);
  }

  /**
   * Tracks a decision an earlier process made and did not live to score (candle counts do not
   * survive a restart, times do): it is scored on the candle that closes `horizon` candles after
   * the one it was made on, and dropped unscored when the candles seen skip that one (scored on a
   * later candle, it would be measured at the wrong price).
   */
  resume(decision: Decision, entryPrice: number, timeframeMs: number): void {
    if (this.#pending.get(decision.symbol)?.some((pending) => pending.decision.id === decision.id)) return;
    // Made at the close of candle i (or just after, on a wall clock): candle i + horizon closes in this window.
    const dueAfter = decision.createdAt + (this.horizon - 1) * timeframeMs;
    const queue = this.#resumed.get(decision.symbol) ?? [];
    queue.push({ decision, entryPrice, dueAfter, latestClose: dueAfter + timeframeMs });
    queue.sort((a, b) => a.dueAfter - b.dueAfter);
    this.#resumed.set(decision.symbol, queue);
    this.#resumedCount += 1;
  }

  #forgetResumed(decision: Decision): void {
    const queue = this.#resumed.get(decision.symbol);
    const position = queue?.findIndex((resumed) => resumed.decision.id === decision.id) ?? -1;
    if (position < 0) return;
    queue!.splice(position, 1);
    this.#resumedCount -= 1;
  }

  /** Whether something is due at candle `index`, which closes at `close` (cheap: called on every candle). */
  isDue(symbol: string, index: number, close: number): boolean {
    if (this.#resumedCount > 0) {
      const resumed = this.#resumed.get(symbol)?.[0];
      if (resumed !== undefined && close > resumed.dueAfter) return true;
    }
    const head = this.#pending.get(symbol)?.[0];
    return head !== undefined && head.dueIndex <= index;
  }

  /** Removes and returns the outcomes due at candle `index` (closing at `close`), priced at `price`. */
  collect(symbol: string, index: number, price: number, timestamp: number, close: number): { decision: Decision; outcome: TradeOutcome }[] {
    const due: { decision: Decision; outcome: TradeOutcome }[] = [];
    const resumed = this.#resumedCount > 0 ? this.#resumed.get(symbol) : undefined;
    while (resumed !== undefined && resumed.length > 0 && close > resumed[0]!.dueAfter) {
      const { decision, entryPrice, latestClose } = resumed.shift()!;
      this.#resumedCount -= 1;
      if (close <= latestClose) due.push(this.#outcome(decision, entryPrice, price, timestamp));
    }
    const queue = this.#pending.get(symbol) ?? [];
    while (queue.length > 0 && queue[0]!.dueIndex <= index) {
      const { decision, entryPrice } = queue.shift()!;
      due.push(this.#outcome(decision, entryPrice, price, timestamp));
    }
    return due;
  }

  #outcome(decision: Decision, entryPrice: number, price: number, timestamp: number): { decision: Decision; outcome: TradeOutcome } {
    const priceReturn = price / entryPrice - 1;
    return { decision, outcome: { decisionId: decision.id, symbol: decision.symbol, action: decision.action, entryPrice, exitPrice: price, priceReturn, bestAction: bestAction(priceReturn, this.deadBand), openedAt: decision.createdAt, closedAt: timestamp } };
  }

  /** Decisions still waiting. */
  get size(): number {
    let total = this.#resumedCount;
    for (const queue of this.#pending.values()) total += queue.length;
    return total;
  }
}

/** The right action in hindsight for a price move. */
export function bestAction(priceReturn: number, deadBand: number): Action {
  if (priceReturn > deadBand) return 'BUY';
  if (priceReturn < -deadBand) return 'SELL';
  return 'HOLD';
}
