import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The sha256 of the 1,000,000-candle file that the external anchors were measured on. */
export const MILLION_CANDLES_SHA256 = 'cb0f7ae137b9031d99d06881a929427bed3b7f20219000e2b746985c05f56447';

/**
 * Path of the seeded benchmark candles (`ts,open,high,low,close,volume`, ts in unix seconds),
 * generated on first use into `.bench-data/`.
 */
export function benchCandlesPath(count = 1_000_000, seed = 42): string {
  const directory = join(root, '.bench-data');
  const path = join(directory, `candles-${count}-${seed}.csv`);
  if (!existsSync(path)) {
    mkdirSync(directory, { recursive: true });
    execFileSync(process.execPath, [join(root, 'benchmarks', 'gen-candles.cjs'), path, String(count), String(seed)], { stdio: 'inherit' });
    if (count === 1_000_000 && seed === 42) {
      const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
      if (digest !== MILLION_CANDLES_SHA256) throw new Error(`benchmark candles differ from the reference file: sha256 ${digest}`);
    }
  }
  return path;
}

/** Loads the benchmark candles as columns (no per-candle objects). */
export function loadBenchColumns(count = 1_000_000, seed = 42): { time: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array } {
  const text = readFileSync(benchCandlesPath(count, seed), 'utf8');
  const lines = text.split('\n');
  const n = lines.length - 1 - (lines.at(-1) === '' ? 1 : 0);
  const columns = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const parts = lines[i + 1]!.split(',');
    columns.time[i] = Number(parts[0]) * 1000;
    columns.open[i] = Number(parts[1]);
    columns.high[i] = Number(parts[2]);
    columns.low[i] = Number(parts[3]);
    columns.close[i] = Number(parts[4]);
    columns.volume[i] = Number(parts[5]);
  }
  return columns;
}
