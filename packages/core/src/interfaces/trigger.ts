import type { Candle } from '../schemas/index.js';

/**
 * Decides, candle by candle, whether the assistants should be convened. Called once per closed
 * candle in time order, so implementations keep O(1) streaming state. Returns a reason to trigger,
 * or `false`.
 */
export interface Trigger {
  /** Feeds one closed candle. */
  update(candle: Candle): string | false;
}

/** Makes one trigger per symbol. */
export type TriggerFactory = (symbol: string) => Trigger;

/** Triggers on every candle. */
export const everyCandle: TriggerFactory = () => ({ update: () => 'every candle' });

/** Triggers every `n` candles. */
export function everyNthCandle(n: number): TriggerFactory {
  return () => {
    let count = 0;
    return { update: () => ((count = (count + 1) % n) === 0 ? `every ${n} candles` : false) };
  };
}
