import { ConfigError, type Candle } from '@ia-agents/core';
import { z } from 'zod';

/** Direction classes, in the order of class ids: 0 = down, 1 = flat, 2 = up. */
export const DIRECTION_CLASSES = ['down', 'flat', 'up'] as const;

/** A direction class. */
export type DirectionClass = (typeof DIRECTION_CLASSES)[number];

/** How labels are made from forward returns. */
export const labelOptionsSchema = z.object({
  /** Candles ahead the forecast looks. */
  horizon: z.number().int().positive().default(1),
  /** Absolute log return inside which a move counts as flat (0.002 = about 0.2 %). */
  deadBand: z.number().nonnegative().default(0.002),
});

/** Options of {@link makeLabels}. */
export type LabelOptions = z.input<typeof labelOptionsSchema>;

/** Labels per candle. The last `horizon` candles have no future yet: direction -1, magnitude and risk NaN. */
export interface Labels {
  /** Class id (0 down, 1 flat, 2 up) of the forward log return, or -1 when unknown. */
  direction: Int8Array;
  /** Forward log return ln(close[t + h] / close[t]). */
  magnitude: Float64Array;
  /** Largest absolute log excursion of the highs and lows over the next h candles from close[t]. */
  risk: Float64Array;
  /** The resolved options. */
  options: z.output<typeof labelOptionsSchema>;
}

/** Parses label options into their resolved form, throwing a ConfigError naming bad fields. */
export function resolveLabelOptions(options: LabelOptions = {}): z.output<typeof labelOptionsSchema> {
  const parsed = labelOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError('label options', parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: issue.message })));
  return parsed.data;
}

/**
 * Makes direction, magnitude and risk labels from forward returns. The label of candle t uses
 * candles t+1..t+h, so it is known only h candles later: evaluation must purge training rows whose
 * horizon overlaps the test window (the walk-forward evaluator does).
 * @example const labels = makeLabels(candles, { horizon: 1, deadBand: 0.002 });
 */
export function makeLabels(candles: readonly Candle[], options: LabelOptions = {}): Labels {
  const resolved = resolveLabelOptions(options);
  const { horizon, deadBand } = resolved;
  const n = candles.length;
  const direction = new Int8Array(n).fill(-1);
  const magnitude = new Float64Array(n).fill(Number.NaN);
  const risk = new Float64Array(n).fill(Number.NaN);
  for (let t = 0; t + horizon < n; t++) {
    const close = candles[t]!.close;
    const forward = Math.log(candles[t + horizon]!.close / close);
    magnitude[t] = forward;
    direction[t] = forward > deadBand ? 2 : forward < -deadBand ? 0 : 1;
    let excursion = 0;
    for (let k = t + 1; k <= t + horizon; k++) {
      excursion = Math.max(excursion, Math.abs(Math.log(candles[k]!.high / close)), Math.abs(Math.log(candles[k]!.low / close)));
    }
    risk[t] = excursion;
  }
  return { direction, magnitude, risk, options: resolved };
}
