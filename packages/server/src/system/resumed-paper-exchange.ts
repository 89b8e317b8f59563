import type { Candle, Fill } from '@ia-agents/core';
import { PaperExchange, type PaperExchangeState } from '@ia-agents/exchange';

/**
 * A PaperExchange continued from a snapshot that ignores the candles it had already seen before
 * the snapshot was taken. A restarted server's feed warms the engine up with recent history, and
 * the engine hands every candle to the exchange: replayed there, old candles moved the peak equity
 * (the drawdown limit's reference) to old marks, could fill a resting order a second time from a
 * candle whose volume it had used, and could reset the day's starting equity across midnight.
 */
class ResumedPaperExchange extends PaperExchange {
  /** Open time of the latest candle seen before the restart, per symbol, until a newer one comes. */
  readonly #seen: Map<string, number>;

  constructor(options: ConstructorParameters<typeof PaperExchange>[0], state: PaperExchangeState) {
    super(options);
    this.restore(state);
    this.#seen = new Map(Object.entries(state.lastCandles).map(([symbol, candle]) => [symbol, candle.timestamp]));
  }

  override onCandle(symbol: string, candle: Candle): Fill[] {
    const seen = this.#seen.get(symbol);
    if (seen !== undefined) {
      if (candle.timestamp <= seen) return [];
      this.#seen.delete(symbol);
    }
    return super.onCandle(symbol, candle);
  }
}

/**
 * Creates a PaperExchange from a saved `state` (validated: DATA_INVALID when it is not one) that
 * skips the candles the saved exchange had seen, per symbol, so a warm-up after a restart changes
 * nothing in the account.
 * @example
 * const exchange = resumePaperExchange({ quoteCurrency: 'USDT', marketData }, saved.state);
 */
export function resumePaperExchange(options: ConstructorParameters<typeof PaperExchange>[0], state: PaperExchangeState): PaperExchange {
  return new ResumedPaperExchange(options, state);
}
