import { createRandom } from '../interfaces/random.js';
import { marketSnapshotSchema, timeframeToMs, type Candle, type MarketSnapshot, type MarketSnapshotInput, type Timeframe } from '../schemas/index.js';

/** Settings of buildCandles. */
export interface BuildCandlesSettings {
  /** How many. @default 100 */
  count?: number;
  /** Open time of the first candle, UTC ms. @default 2024-01-01T00:00:00Z */
  start?: number;
  /** Timeframe. @default '1h' */
  timeframe?: Timeframe;
  /** First open. @default 100 */
  startPrice?: number;
  /** Mean log return per candle. @default 0 */
  drift?: number;
  /** Standard deviation of the log return per candle. @default 0.01 */
  volatility?: number;
  /** Seed. @default 1 */
  seed?: number;
  /** Explicit closes (overrides drift/volatility); opens follow the previous close. */
  closes?: readonly number[];
}

/** Deterministic candles (geometric Brownian motion, or explicit closes). */
export function buildCandles(settings: BuildCandlesSettings = {}): Candle[] {
  const random = createRandom(settings.seed ?? 1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const count = settings.closes?.length ?? settings.count ?? 100;
  const step = timeframeToMs(settings.timeframe ?? '1h');
  const start = settings.start ?? Date.UTC(2024, 0, 1);
  const candles: Candle[] = [];
  let previous = settings.startPrice ?? settings.closes?.[0] ?? 100;
  for (let i = 0; i < count; i++) {
    const close = settings.closes?.[i] ?? previous * Math.exp((settings.drift ?? 0) + (settings.volatility ?? 0.01) * gauss());
    const open = previous;
    const wiggle = Math.abs(gauss()) * (settings.volatility ?? 0.01) * 0.5;
    candles.push({ timestamp: start + i * step, open, high: Math.max(open, close) * (1 + wiggle), low: Math.min(open, close) * (1 - wiggle), close, volume: 1000 * (1 + random.next()) });
    previous = close;
  }
  return candles;
}

/**
 * A valid snapshot: defaults to 100 hourly BTC/USDT candles with the decision time at the close of
 * the last one. Pass fields to override.
 */
export function buildSnapshot(overrides: Partial<MarketSnapshotInput> = {}): MarketSnapshot {
  const timeframe = overrides.timeframe ?? '1h';
  const candles = overrides.candles ?? buildCandles({ timeframe });
  const last = candles.at(-1);
  const timestamp = overrides.timestamp ?? (last === undefined ? 0 : last.timestamp + timeframeToMs(timeframe));
  return marketSnapshotSchema.parse({ symbol: 'BTC/USDT', ...overrides, timeframe, candles, timestamp });
}
