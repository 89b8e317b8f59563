import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledCandles, bundledCandlesInfo, bundledCandlesPath, defaultBundledCandles } from './bundled-data.js';
import { readCandlesCsv } from './feeds/candle-series.js';

const provenance = readFileSync(new URL('../data/README.md', import.meta.url), 'utf8');

describe('bundled candles', () => {
  it.each(bundledCandles.map((entry) => [entry.name, entry] as const))('%s passes every row check and matches its provenance entry', (name, entry) => {
    const series = readCandlesCsv(bundledCandlesPath(name));
    expect(series.timeframe).toBe(entry.timeframe);
    // data/README.md: | `file` | rows | range | gaps | source | licence | conversion |
    const row = provenance.split('\n').find((line) => line.startsWith(`| \`${name}.csv\``))!;
    const [, , rows, , gaps, , licence] = row.split('|').map((cell) => cell.trim());
    expect({ rows: series.candles.length, gaps: series.gaps.length, licence: entry.license }).toEqual({ rows: Number(rows!.replace(/,/g, '')), gaps: Number(gaps), licence });
  });

  it('defaults to the Coinbase BTC/USD 4h candles', () => {
    expect(bundledCandlesPath()).toBe(bundledCandlesPath(defaultBundledCandles));
    expect(bundledCandlesInfo(defaultBundledCandles)).toMatchObject({ symbol: 'BTC/USD', timeframe: '4h', exchange: 'coinbase', license: 'MIT' });
  });
});
