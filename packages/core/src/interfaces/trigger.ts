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

/**
 * Triggers when any of the given triggers does. Every trigger sees every candle (their streaming
 * state stays right); the first reason wins.
 * @example const trigger = anyTrigger(marketMonitorTrigger(), everyNthCandle(12));
 */
export function anyTrigger(...factories: TriggerFactory[]): TriggerFactory {
  return (symbol) => {
    const triggers = factories.map((factory) => factory(symbol));
    return {
      update(candle) {
        let reason: string | false = false;
        for (const trigger of triggers) {
          const fired = trigger.update(candle);
          if (reason === false) reason = fired;
        }
        return reason;
      },
    };
  };
}
