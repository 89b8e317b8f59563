import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Candle } from '@ia-agents/core';

/** Absolute path of a file under the package's `fixtures/` folder (test-only helper). */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../../fixtures/${relative}`, import.meta.url));
}

/** Loads a `timestamp_ms,open,high,low,close,volume` candle file from the fixtures. */
export function loadCandles(name: string): Candle[] {
  const lines = readFileSync(fixturePath(`candles/${name}.csv`), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [timestamp, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
    return { timestamp, open, high, low, close, volume };
  });
}

/** Loads a TTR reference file as columns (empty cells become NaN). */
export function loadTtr(name: string): Record<string, number[]> {
  const lines = readFileSync(fixturePath(`ttr/ttr_${name}.csv`), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const columns: Record<string, number[]> = Object.fromEntries(header.map((name) => [name, []]));
  for (const line of lines.slice(1)) {
    line.split(',').forEach((cell, index) => columns[header[index]!]!.push(cell === '' ? Number.NaN : Number(cell)));
  }
  return columns;
}

/** Candles between two ISO dates (inclusive start, exclusive end). */
export function candleWindow(candles: readonly Candle[], from: string, to: string): Candle[] {
  const [start, end] = [Date.parse(from), Date.parse(to)];
  return candles.filter((candle) => candle.timestamp >= start && candle.timestamp < end);
}
