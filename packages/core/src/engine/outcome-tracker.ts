import type { Action, Decision, TradeOutcome } from '../schemas/index.js';

/** A decision waiting for its outcome. */
interface Pending {
  decision: Decision;
  entryPrice: number;
  dueIndex: number;
}

/**
 * Measures each decision's outcome `horizon` candles later: the price move, and the action that
 * would have been right (a move beyond the dead band up is BUY, down is SELL, else HOLD).
 */
export class OutcomeTracker {
  readonly #pending = new Map<string, Pending[]>();

  constructor(
    private readonly horizon: number,
    private readonly deadBand: number,
  ) {}

  /** Starts tracking a decision made at candle `index` of its symbol. */
  track(decision: Decision, entryPrice: number, index: number): void {
    const queue = this.#pending.get(decision.symbol) ?? [];
    queue.push({ decision, entryPrice, dueIndex: index + this.horizon });
    this.#pending.set(decision.symbol, queue);
  }

  /** Whether something is due at candle `index` (cheap: called on every candle). */
  isDue(symbol: string, index: number): boolean {
    const head = this.#pending.get(symbol)?.[0];
    return head !== undefined && head.dueIndex <= index;
  }

  /** Removes and returns the outcomes due at candle `index`, priced at `price`. */
  collect(symbol: string, index: number, price: number, timestamp: number): { decision: Decision; outcome: TradeOutcome }[] {
    const queue = this.#pending.get(symbol) ?? [];
    const due: { decision: Decision; outcome: TradeOutcome }[] = [];
    while (queue.length > 0 && queue[0]!.dueIndex <= index) {
      const { decision, entryPrice } = queue.shift()!;
      const priceReturn = price / entryPrice - 1;
      due.push({ decision, outcome: { decisionId: decision.id, symbol, action: decision.action, entryPrice, exitPrice: price, priceReturn, bestAction: bestAction(priceReturn, this.deadBand), openedAt: decision.createdAt, closedAt: timestamp } });
    }
    return due;
  }

  /** Decisions still waiting. */
  get size(): number {
    let total = 0;
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
