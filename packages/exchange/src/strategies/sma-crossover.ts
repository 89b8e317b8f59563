import { defineAssistant, type Assistant, type Candle, type MarketSnapshot, type Trigger, type TriggerFactory } from '@ia-agents/core';

/** Options of `createSmaCrossover`. */
export interface SmaCrossoverOptions {
  /** Fast moving-average length. @default 10 */
  fast?: number;
  /** Slow moving-average length. @default 30 */
  slow?: number;
  /** Id of the assistant. @default 'sma-crossover' */
  id?: string;
}

/** A moving-average crossover: a streaming trigger that fires on crosses only, and the assistant that votes them. */
export interface SmaCrossover {
  /** Per-symbol O(1) trigger: fires when fast - slow changes sign against its last non-zero value. */
  trigger: TriggerFactory;
  /** Votes BUY on a cross up and SELL on a cross down, with confidence 1. */
  assistant: Assistant;
}

type Direction = 'up' | 'down';

/**
 * Streaming SMA state with running sums (backtrader's CrossOver: the sign change of fast - slow
 * against the last non-zero difference). The sums are kept in the same order of operations as the
 * reference loop, so a backtest reproduces its trades exactly.
 */
class CrossoverState implements Trigger {
  readonly #closes: Float64Array;
  #count = 0;
  #slot = 0;
  #fastSum = 0;
  #slowSum = 0;
  #lastDifference = 0;
  /** Open time of the candle of the latest cross and its direction (one record, updated in place). */
  last: { timestamp: number; direction: Direction } | undefined;
  /** The trigger's reasons, made once (a backtest crosses tens of thousands of times). */
  readonly #reasons: Record<Direction, string>;

  constructor(
    readonly fast: number,
    readonly slow: number,
  ) {
    this.#closes = new Float64Array(slow);
    this.#reasons = { up: `sma(${fast}) crossed above sma(${slow})`, down: `sma(${fast}) crossed below sma(${slow})` };
  }

  update(candle: Candle): string | false {
    const close = candle.close;
    const index = this.#count;
    const size = this.slow;
    const fast = this.fast;
    // The ring slot of this close (index % size) and of the one leaving the fast window, kept by
    // wrapping rather than by a modulo per candle.
    const slot = this.#slot;
    this.#fastSum += close;
    if (index >= fast) this.#fastSum -= this.#closes[slot >= fast ? slot - fast : slot - fast + size]!;
    this.#slowSum += close;
    if (index >= size) this.#slowSum -= this.#closes[slot]!;
    this.#closes[slot] = close;
    this.#slot = slot + 1 === size ? 0 : slot + 1;
    this.#count = index + 1;
    if (index < size - 1) return false;
    const difference = this.#fastSum / this.fast - this.#slowSum / size;
    const previous = this.#lastDifference;
    if (difference !== 0) this.#lastDifference = difference;
    if (difference > 0 && previous < 0) return this.#cross(candle, 'up');
    if (difference < 0 && previous > 0) return this.#cross(candle, 'down');
    return false;
  }

  #cross(candle: Candle, direction: Direction): string {
    const last = (this.last ??= { timestamp: candle.timestamp, direction });
    last.timestamp = candle.timestamp;
    last.direction = direction;
    return this.#reasons[direction];
  }
}

/** The direction from the snapshot alone (for decisions asked on demand, without the trigger). */
function directionFromSnapshot(candles: readonly Candle[], fast: number, slow: number): Direction | undefined {
  if (candles.length < slow) return undefined;
  const mean = (length: number) => candles.slice(-length).reduce((sum, candle) => sum + candle.close, 0) / length;
  const difference = mean(fast) - mean(slow);
  return difference > 0 ? 'up' : difference < 0 ? 'down' : undefined;
}

/**
 * An SMA(fast)/SMA(slow) crossover strategy for the engine: pass `trigger` as the engine's trigger
 * and `assistant` in its assistants.
 * @example
 * const sma = createSmaCrossover({ fast: 10, slow: 30 });
 * const engine = createTradingEngine({ exchange, feed, assistants: [sma.assistant], trigger: sma.trigger });
 */
export function createSmaCrossover(options: SmaCrossoverOptions = {}): SmaCrossover {
  const fast = options.fast ?? 10;
  const slow = options.slow ?? 30;
  if (!(Number.isInteger(fast) && Number.isInteger(slow) && fast > 0 && slow > fast)) throw new RangeError(`SMA crossover needs integers 0 < fast < slow, got ${fast}/${slow}`);
  const states = new Map<string, CrossoverState>();
  const trigger: TriggerFactory = (symbol) => {
    const state = new CrossoverState(fast, slow);
    states.set(symbol, state);
    return state;
  };
  const id = options.id ?? 'sma-crossover';
  // The texts are made once: the assistant answers every crossover of a backtest.
  const reasoning = { up: `sma(${fast}) is above sma(${slow})`, down: `sma(${fast}) is below sma(${slow})`, none: `not enough candles for sma(${slow})` };
  const evidenceName = `sma_${fast}_${slow}_cross`;
  const assistant = defineAssistant({
    id,
    role: 'technical-analyst',
    analyze: (snapshot: MarketSnapshot) => {
      const latest = snapshot.candles.at(-1)!;
      const recorded = states.get(snapshot.symbol)?.last;
      const direction = recorded?.timestamp === latest.timestamp ? recorded.direction : directionFromSnapshot(snapshot.candles, fast, slow);
      if (direction === undefined) return { assistantId: id, action: 'HOLD', confidence: 1, reasoning: reasoning.none };
      return {
        assistantId: id,
        action: direction === 'up' ? 'BUY' : 'SELL',
        confidence: 1,
        reasoning: reasoning[direction],
        evidence: [{ name: evidenceName, value: direction, stance: direction === 'up' ? 'bullish' : 'bearish' }],
      };
    },
  });
  return { trigger, assistant };
}
