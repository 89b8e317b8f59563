import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MarketEvent } from '@ia-agents/core';
import { bundledCandlesPath } from '../bundled-data.js';
import { parseCandlesCsv } from './candle-series.js';
import { createReplayFeed } from './replay-feed.js';

const HOUR = 3_600_000;
const HEADER = 'timestamp_ms,open,high,low,close,volume';
const rows = (...lines: string[]) => [HEADER, ...lines].join('\n');

async function collect(events: AsyncIterable<MarketEvent>): Promise<MarketEvent[]> {
  const all: MarketEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('parseCandlesCsv', () => {
  it('parses the uniform format and reads the timeframe from the file name', () => {
    const series = parseCandlesCsv(rows('0,1,2,0.5,1.5,10', '3600000,1.5,2,1,1.2,0'), { source: 'x_BTC-USDT_1h.csv' });
    expect(series).toEqual({
      timeframe: '1h',
      gaps: [],
      candles: [
        { timestamp: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
        { timestamp: 3_600_000, open: 1.5, high: 2, low: 1, close: 1.2, volume: 0 },
      ],
    });
  });

  it.each([
    ['a NaN', '3600000,1,2,0.5,abc,1', 'line.3.close: not a number: "abc"'],
    ['a negative price', '3600000,-1,2,0.5,1,1', 'line.3.open: expected a positive price, got -1'],
    ['high below low', '3600000,1,0.4,0.5,1,1', 'line.3.high: high 0.4 is below low 0.5'],
    ['a duplicate timestamp', '0,1,2,0.5,1,1', 'line.3.timestamp: duplicate timestamp 0'],
    ['a negative timestamp', '-1,1,2,0.5,1,1', 'line.3.timestamp: expected a non-negative integer, got -1'],
    ['an infinite price', '3600000,1,Infinity,0.5,1,1', 'line.3.high: expected a positive price, got Infinity'],
    ['a zero price', '3600000,1,2,0,1,1', 'line.3.low: expected a positive price, got 0'],
    ['a negative volume', '3600000,1,2,0.5,1,-3', 'line.3.volume: expected a non-negative volume, got -3'],
    ['a close above the high', '3600000,1,2,0.5,2.5,1', 'line.3.high: high 2 is below open 1 or close 2.5'],
    ['an empty field', '3600000,1,,0.5,1,1', 'line.3.high: not a number: ""'],
    ['a missing field', '3600000,1,2,0.5', 'line.3.close: missing'],
  ])('fails on %s naming file, line and field', (_name, bad, message) => {
    expect(() => parseCandlesCsv(rows('0,1,2,0.5,1,1', bad), { source: 'btc_1h.csv' })).toThrow(`Invalid candles in btc_1h.csv: ${message}`);
  });

  it('fails on rows out of order with the error code DATA_INVALID', () => {
    const attempt = () => parseCandlesCsv(rows('7200000,1,2,0.5,1,1', '3600000,1,2,0.5,1,1'), { source: 'btc_1h.csv' });
    expect(attempt).toThrow(expect.objectContaining({ code: 'DATA_INVALID', details: { source: 'btc_1h.csv', line: 3, field: 'timestamp' } }));
    expect(attempt).toThrow('line.3.timestamp: out of order: 3600000 comes after 7200000');
  });

  it('counts blank lines and Windows line ends, so the line named is the line in the file', () => {
    // Regression: the line was counted in rows, one short after each blank line.
    const text = `${HEADER}\r\n0,1,2,0.5,1,1\r\n\r\n3600000,1,2,0.5,1,1\r\n7200000,1,2,0.5,nan,1\r\n`;
    expect(() => parseCandlesCsv(text, { source: 'btc_1h.csv' })).toThrow('line.5.close: not a number: "nan"');
  });

  it('reads second timestamps when the header says ts', () => {
    expect(parseCandlesCsv('ts,open,high,low,close,volume\n60,1,1,1,1,1\n120,1,1,1,1,1\n', { source: 'bench' }).candles[0]!.timestamp).toBe(60_000);
  });
});

describe('createReplayFeed', () => {
  it('reports gaps between the candles around them instead of hiding them', async () => {
    const feed = createReplayFeed({ sources: [{ symbol: 'BTC/USD', candles: [0, 1, 4, 5].map((hour) => ({ timestamp: hour * 3_600_000, open: 1, high: 1, low: 1, close: 1, volume: 1 })), timeframe: '1h' }] });
    const events = await collect(feed.events());
    expect(events.map((event) => (event.type === 'candles' ? event.candles.length : event.type === 'gap' ? `gap ${event.missing}` : event.type))).toEqual([2, 'gap 2', 2]);
    expect(events[1]).toEqual({ type: 'gap', symbol: 'BTC/USD', timeframe: '1h', from: 7_200_000, to: 14_400_000, missing: 2 });
  });

  it('replays the bundled 4h Coinbase file in batches with its three real gaps', async () => {
    const feed = createReplayFeed({ sources: [{ symbol: 'BTC/USD', path: bundledCandlesPath('coinbase_BTC-USD_4h') }], batchSize: 5_000 });
    const events = await collect(feed.events());
    const candles = events.flatMap((event) => (event.type === 'candles' ? event.candles : []));
    expect(feed.timeframe).toBe('4h');
    expect(candles).toHaveLength(20_695);
    expect(events.filter((event) => event.type === 'gap')).toHaveLength(3);
    expect(candles[0]).toEqual({ timestamp: 1_463_544_000_000, open: 456.16, high: 456.81, low: 455.3, close: 456.02, volume: 561.88098307 });
  });

  it('batches a market while it is alone (before another starts), one candle an event while they overlap', async () => {
    const hourly = (from: number, count: number) => Array.from({ length: count }, (_, index) => ({ timestamp: (from + index) * 3_600_000, open: 10, high: 11, low: 9, close: 10, volume: 1 }));
    const feed = createReplayFeed({ sources: [{ symbol: 'A/USD', candles: hourly(0, 30), timeframe: '1h' }, { symbol: 'B/USD', candles: hourly(20, 5), timeframe: '1h' }], batchSize: 8 });
    const sizes = (await collect(feed.events())).map((event) => (event.type === 'candles' ? `${event.symbol[0]}${event.candles.length}` : event.type));
    expect(sizes).toEqual(['A8', 'A8', 'A4', ...Array.from({ length: 5 }, () => ['A1', 'B1']).flat(), 'A5']);
  });

  it('interleaves several symbols in time order', async () => {
    const make = (offset: number) => [0, 1, 2].map((hour) => ({ timestamp: (hour + offset) * 3_600_000, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
    const feed = createReplayFeed({ sources: [{ symbol: 'A/USD', candles: make(0), timeframe: '1h' }, { symbol: 'B/USD', candles: make(1), timeframe: '1h' }] });
    const order = (await collect(feed.events())).map((event) => (event.type === 'candles' ? `${event.symbol}@${event.candles[0]!.timestamp / 3_600_000}` : event.type));
    expect(order).toEqual(['A/USD@0', 'A/USD@1', 'B/USD@1', 'A/USD@2', 'B/USD@2', 'B/USD@3']);
  });

  it('replays what closes by tradeFrom as warm-up history, never mixing it with tradable candles in one batch', async () => {
    const hours = (...list: number[]) => list.map((hour) => ({ timestamp: hour * 3_600_000, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
    const one = createReplayFeed({ sources: [{ symbol: 'A/USD', candles: hours(0, 1, 2, 3, 4, 5), timeframe: '1h' }], tradeFrom: 3 * 3_600_000, batchSize: 4 });
    const batches = (await collect(one.events())).map((event) => (event.type === 'candles' ? `${event.candles.map((c) => c.timestamp / 3_600_000).join(',')}${event.warmup === true ? ' warm-up' : ''}` : event.type));
    // Candles 0-2 close by 3:00 (history); 3-5 are traded.
    expect(batches).toEqual(['0,1,2 warm-up', '3,4,5']);
    const two = createReplayFeed({ sources: [{ symbol: 'A/USD', candles: hours(0, 1, 2), timeframe: '1h' }, { symbol: 'B/USD', candles: hours(1, 2), timeframe: '1h' }], tradeFrom: 2 * 3_600_000 });
    const flags = (await collect(two.events())).map((event) => (event.type === 'candles' ? `${event.symbol}@${event.candles[0]!.timestamp / 3_600_000}${event.warmup === true ? ' warm-up' : ''}` : event.type));
    expect(flags).toEqual(['A/USD@0 warm-up', 'A/USD@1 warm-up', 'B/USD@1 warm-up', 'A/USD@2', 'B/USD@2']);
  });

  it('names the file and line of a bad row when built from a path', () => {
    const directory = mkdtempSync(join(tmpdir(), 'replay-'));
    const path = join(directory, 'broken_1h.csv');
    writeFileSync(path, rows('0,1,2,0.5,1,1', '3600000,1,2,0.5,1,NaN'));
    expect(() => createReplayFeed({ sources: [{ symbol: 'BTC/USD', path }] })).toThrow(`Invalid candles in ${path}: line.3.volume: not a number: "NaN"`);
  });

  it('checks candles given as arrays too, naming the symbol, the row and the field', () => {
    const good = { timestamp: 0, open: 1, high: 2, low: 0.5, close: 1, volume: 1 };
    const attempt = (bad: object) => () => createReplayFeed({ sources: [{ symbol: 'BTC/USD', timeframe: '1h', candles: [good, { ...good, timestamp: 3_600_000, ...bad }] }] });
    expect(attempt({ close: Number.NaN })).toThrow('Invalid candles in candles of BTC/USD: line.2.close: expected a positive price, got NaN');
    expect(attempt({ open: -5 })).toThrow('line.2.open: expected a positive price, got -5');
    expect(attempt({ high: 0.4 })).toThrow('line.2.high: high 0.4 is below low 0.5');
    expect(attempt({ timestamp: 0 })).toThrow('line.2.timestamp: duplicate timestamp 0');
    expect(attempt({ timestamp: 1_800_000 })).toThrow('line.2.timestamp: 1800000 is less than one 1h after the previous candle (0)');
  });

  it('refuses bad options naming the field', () => {
    expect(() => createReplayFeed({ sources: [{ symbol: 'BTC/USD' }] })).toThrow(/sources\.0\.path: give exactly one of path or candles/);
    expect(() => createReplayFeed({ sources: [], batchSize: 0 })).toThrow(/sources: .*batchSize: /s);
  });
});

describe('createReplayFeed (property-based)', () => {
  /** A market: which hours of a window it has candles for (the rest are gaps, or before its start). */
  const market = fc.record({ start: fc.integer({ min: 0, max: 20 }), length: fc.integer({ min: 1, max: 60 }), missing: fc.array(fc.integer({ min: 1, max: 59 }), { maxLength: 6 }) });

  it('hands every candle of every market over once, in time order across markets, with a gap event right before each candle after a gap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(market, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 25 }), fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }), async (markets, batchSize, tradeFromHour) => {
        const sources = markets.map((spec, index) => {
          const hours = Array.from({ length: spec.length }, (_, offset) => spec.start + offset).filter((hour, offset) => offset === 0 || !spec.missing.includes(offset));
          return { symbol: `S${index}/USD`, candles: hours.map((hour) => ({ timestamp: hour * HOUR, open: 10, high: 11, low: 9, close: 10, volume: 1 })), timeframe: '1h' as const };
        });
        const tradeFrom = tradeFromHour === undefined ? undefined : tradeFromHour * HOUR;
        const feed = createReplayFeed({ sources, batchSize, ...(tradeFrom === undefined ? {} : { tradeFrom }) });
        const seen = new Map<string, number[]>(sources.map((source) => [source.symbol, []]));
        const pendingGap = new Map<string, number | undefined>();
        let clock = Number.NEGATIVE_INFINITY;
        for await (const event of feed.events()) {
          if (event.type === 'gap') {
            pendingGap.set(event.symbol, event.to);
            continue;
          }
          if (event.type !== 'candles') continue;
          expect(event.candles.length).toBeLessThanOrEqual(batchSize);
          for (const candle of event.candles) {
            const times = seen.get(event.symbol)!;
            const previous = times.at(-1);
            // Time order across markets, each market's candles strictly increasing.
            expect(candle.timestamp).toBeGreaterThanOrEqual(clock);
            clock = candle.timestamp;
            // A jump past the next hour comes right after its gap event, which names it.
            if (previous !== undefined && candle.timestamp > previous + HOUR) expect(pendingGap.get(event.symbol)).toBe(candle.timestamp);
            pendingGap.set(event.symbol, undefined);
            // Warm-up exactly for what closed by tradeFrom.
            expect(event.warmup === true).toBe(tradeFrom !== undefined && candle.timestamp + HOUR <= tradeFrom);
            times.push(candle.timestamp);
          }
        }
        for (const source of sources) expect(seen.get(source.symbol)).toEqual(source.candles.map((candle) => candle.timestamp));
        // The same events at hand, for the engine's promise-free loop.
        expect([...feed.eventsNow!()]).toEqual(await collect(feed.events()));
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
