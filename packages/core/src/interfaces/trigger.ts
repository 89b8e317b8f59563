import { timeframeToMs, type Candle, type Timeframe } from '../schemas/index.js';

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

/**
 * Triggers every `n` candles. With the candles' `timeframe`, on the candles that close at a multiple
 * of `n` candle lengths since the Unix epoch (with 1h candles and n = 12: those closing at 00:00 and
 * 12:00 UTC), the same candles whenever it starts: a backtest, a server restarted at any candle and
 * a live start after a warm-up convene the team together. Without it, every `n`-th candle it is
 * given, counted from the first (so the candles depend on where it started).
 * @example const twiceADay = everyNthCandle(12, '1h');
 */
export function everyNthCandle(n: number, timeframe?: Timeframe): TriggerFactory {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`everyNthCandle needs a whole number of candles, 1 or more, got ${n}`);
  const reason = `every ${n} candles`;
  if (timeframe !== undefined) {
    const period = n * timeframeToMs(timeframe);
    const length = timeframeToMs(timeframe);
    return () => ({ update: (candle) => ((candle.timestamp + length) % period === 0 ? reason : false) });
  }
  return () => {
    let count = 0;
    return { update: () => ((count = (count + 1) % n) === 0 ? reason : false) };
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
