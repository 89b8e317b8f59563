import { readFileSync } from 'node:fs';
import type { Candle } from '@ia-agents/core';

/** Reads `fixtures/<name>` (`timestamp_ms,open,high,low,close,volume`) into candles. Tests only. */
export function loadFixtureCandles(name: string, limit?: number): Candle[] {
  const text = readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
  const lines = text.trim().split('\n').slice(1);
  const rows = limit === undefined ? lines : lines.slice(-limit);
  return rows.map((line) => {
    const [timestamp, open, high, low, close, volume] = line.split(',').map(Number);
    return { timestamp: timestamp!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
  });
}

/** A seeded random walk of candles (log-normal steps), for tests that need many rows with no signal. */
export function randomWalkCandles(count: number, seed: number, startTime = Date.UTC(2024, 0, 1), stepMs = 3_600_000): Candle[] {
  let state = seed | 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const candles: Candle[] = [];
  let close = 100;
  for (let i = 0; i < count; i++) {
    const open = close;
    close = open * Math.exp(0.01 * gaussian());
    const high = Math.max(open, close) * (1 + 0.004 * next());
    const low = Math.min(open, close) * (1 - 0.004 * next());
    candles.push({ timestamp: startTime + i * stepMs, open, high, low, close, volume: 10 + 90 * next() });
  }
  return candles;
}
