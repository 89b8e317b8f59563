import type { Candle } from '@ia-agents/core';

/** Thresholds of the scheduled market check (seed workflow "Market Monitoring"). */
export interface MarketCheckOptions {
  /** Absolute close-to-close move that triggers. @default 0.01 */
  moveThreshold?: number;
  /** Volume multiple of the recent average that triggers. @default 2 */
  volumeMultiple?: number;
  /** Candles in the volume average. @default 20 */
  window?: number;
}

/** Whether the latest closed candle is unusual enough to convene the team, and why. */
export function checkMarket(candles: readonly Candle[], options: MarketCheckOptions = {}): { triggered: boolean; reason: string } {
  const last = candles.at(-1);
  const previous = candles.at(-2);
  if (last === undefined || previous === undefined) return { triggered: false, reason: 'not enough candles' };
  const move = last.close / previous.close - 1;
  const threshold = options.moveThreshold ?? 0.01;
  if (Math.abs(move) >= threshold) return { triggered: true, reason: `price moved ${(move * 100).toFixed(2)} % in one candle` };
  const window = candles.slice(-(options.window ?? 20) - 1, -1);
  const average = window.reduce((sum, candle) => sum + candle.volume, 0) / Math.max(window.length, 1);
  const multiple = options.volumeMultiple ?? 2;
  if (average > 0 && last.volume >= multiple * average) return { triggered: true, reason: `volume ${(last.volume / average).toFixed(1)}x the ${window.length}-candle average` };
  return { triggered: false, reason: `move ${(move * 100).toFixed(2)} % and volume within normal range` };
}
