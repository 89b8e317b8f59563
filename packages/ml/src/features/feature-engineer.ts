import { ConfigError, ValidationError, type Candle, type ValidationIssue } from '@ia-agents/core';
import { z } from 'zod';
import { toCandleColumns } from './candle-columns.js';
import type { FeatureMatrix } from './feature-matrix.js';
import { computeFundamentalColumns, FUNDAMENTAL_FEATURES, type FundamentalData } from './fundamental-features.js';
import { computeTechnicalColumns, TECHNICAL_FEATURES, TECHNICAL_WARMUP } from './technical-features.js';

/** Options of a FeatureEngineer. Serialised with a model so that predictions use the same features. */
export const featureEngineerOptionsSchema = z.object({
  /** Add the fundamental features (news and social sentiment, market-cap change, with missing flags). */
  fundamental: z.boolean().default(false),
  /** Window over which news and social sentiment are averaged, milliseconds. */
  sentimentWindowMs: z.number().int().positive().default(86_400_000),
  /**
   * Candles a single prediction is computed from. Must exceed the warm-up (96) by enough for the
   * exponential averages to forget their seed, so that a prediction from a trailing window equals the
   * feature row computed over the full history.
   */
  lookback: z.number().int().min(TECHNICAL_WARMUP + 1).default(400),
});

/** Options of {@link createFeatureEngineer}. */
export type FeatureEngineerOptions = z.input<typeof featureEngineerOptionsSchema>;

/** Extra inputs of a feature computation. */
export interface FeatureInput {
  /** Fundamental data aligned by time with the candles. */
  fundamentals?: FundamentalData;
  /** Candle length in milliseconds, used to know when a candle closes. @default inferred from the timestamps */
  candleMs?: number;
}

/**
 * Turns candles (and, when enabled, news and market-cap data) into model features: technical
 * (returns over several lags, rolling volatility, RSI, MACD, Bollinger position and width, EMA
 * cross, price/SMA and volume/SMA ratios, ATR ratio, bar shape), temporal (hour of day, day of
 * week, volatility regime), interactions, and optionally fundamental features.
 *
 * No look-ahead: the row of candle t is computed from candles 0..t only. Warm-up candles, whose
 * indicators are not yet defined, get no row.
 */
export class FeatureEngineer {
  /** Resolved options. */
  readonly options: z.output<typeof featureEngineerOptionsSchema>;
  /** Feature names, in column order. */
  readonly names: readonly string[];
  /** Index of the first candle that gets a row. */
  readonly warmup = TECHNICAL_WARMUP;

  constructor(options: FeatureEngineerOptions = {}) {
    const parsed = featureEngineerOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ConfigError('feature engineer options', parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: issue.message })));
    this.options = parsed.data;
    this.names = this.options.fundamental ? [...TECHNICAL_FEATURES, ...FUNDAMENTAL_FEATURES] : [...TECHNICAL_FEATURES];
  }

  /** Candles needed to compute one prediction row. */
  get lookback(): number {
    return this.options.lookback;
  }

  /**
   * Computes one row per candle from index `warmup` on.
   * @example const matrix = createFeatureEngineer().compute(candles); matrix.names.length;
   */
  compute(candles: readonly Candle[], input: FeatureInput = {}): FeatureMatrix {
    checkCandles(candles);
    const columns = toCandleColumns(candles);
    const all: Record<string, Float64Array> = { ...computeTechnicalColumns(columns) };
    if (this.options.fundamental) {
      const candleMs = input.candleMs ?? inferCandleMs(columns.timestamp);
      const closeTimes = columns.timestamp.map((time) => time + candleMs);
      Object.assign(all, computeFundamentalColumns(closeTimes, input.fundamentals ?? {}, this.options.sentimentWindowMs));
    }
    return toMatrix(this.names, all, columns.timestamp, this.warmup);
  }

  /** Features of the last candle, computed from the trailing `lookback` candles. */
  computeLast(candles: readonly Candle[], input: FeatureInput = {}): Float64Array {
    if (candles.length < this.lookback) {
      throw new ValidationError('candles', [{ path: [], message: `expected at least ${this.lookback} candles to compute features, received ${candles.length}` }], { code: 'DATA_INVALID' });
    }
    const matrix = this.compute(candles.slice(candles.length - this.lookback), input);
    return matrix.values.slice((matrix.rowCount - 1) * this.names.length);
  }

  /** The options to rebuild an identical engineer. */
  toJSON(): z.output<typeof featureEngineerOptionsSchema> {
    return { ...this.options };
  }
}

/**
 * Creates a FeatureEngineer.
 * @example const engineer = createFeatureEngineer({ fundamental: false });
 */
export function createFeatureEngineer(options: FeatureEngineerOptions = {}): FeatureEngineer {
  return new FeatureEngineer(options);
}

function toMatrix(names: readonly string[], columns: Record<string, Float64Array>, timestamps: Float64Array, warmup: number): FeatureMatrix {
  const rowCount = Math.max(0, timestamps.length - warmup);
  const width = names.length;
  const values = new Float64Array(rowCount * width);
  names.forEach((name, j) => {
    const column = columns[name]!;
    for (let r = 0; r < rowCount; r++) values[r * width + j] = column[r + warmup]!;
  });
  const candleIndex = Int32Array.from({ length: rowCount }, (_, r) => r + warmup);
  return { names, rowCount, values, candleIndex, timestamps: timestamps.slice(warmup) };
}

/** The smallest spacing among the first 200 timestamps: gaps only ever make a spacing longer. */
function inferCandleMs(timestamps: Float64Array): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 1; i < Math.min(timestamps.length, 200); i++) best = Math.min(best, timestamps[i]! - timestamps[i - 1]!);
  return Number.isFinite(best) ? best : 0;
}

/** Fast structural check (zod on every candle would cost more than the features). */
function checkCandles(candles: readonly Candle[]): void {
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < candles.length && issues.length < 5; i++) {
    const candle = candles[i]!;
    for (const field of ['open', 'high', 'low', 'close'] as const) {
      if (!(candle[field] > 0) || !Number.isFinite(candle[field])) issues.push({ path: [i, field], message: `expected a positive finite price, received ${candle[field]}` });
    }
    if (!(candle.volume >= 0)) issues.push({ path: [i, 'volume'], message: `expected a non-negative volume, received ${candle.volume}` });
    if (i > 0 && !(candle.timestamp > candles[i - 1]!.timestamp)) issues.push({ path: [i, 'timestamp'], message: 'candles must be in strictly increasing time order' });
  }
  if (issues.length > 0) throw new ValidationError('candles', issues, { code: 'DATA_INVALID' });
}
