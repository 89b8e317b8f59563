import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { SimulatedClock, isIaAgentsError, type Candle, type MarketEvent } from '@ia-agents/core';
import { CcxtExchange } from '../ccxt/ccxt-exchange.js';
import { createReplayFeed } from '../feeds/replay-feed.js';
import { startLocalBinance } from '../testing/local-binance.js';
import { downloadCandles, type DownloadProgress } from './download-candles.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
// Prices with many decimals, as Binance quotes them, to show they survive the round trip.
const eight = (value: number) => Number(value.toFixed(8));
const candle = (index: number): Candle => ({ timestamp: T0 + index * HOUR, open: eight(40_000 + index * 0.01), high: eight(40_100.12345678 + index), low: eight(39_900.5 - index * 0.001), close: eight(40_050.87654321 + index * 0.5), volume: eight(12.34567891 + index) });

let directory: string | undefined;
afterEach(() => {
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

async function setUp(count: number, now: number) {
  const binance = await startLocalBinance();
  onTestFinished(binance.stop);
  const server = binance.rest;
  server.now = now;
  server.klines.set('BTCUSDT 1h', Array.from({ length: count }, (_, index) => candle(index)).filter((entry) => entry.timestamp !== T0 + 1500 * HOUR));
  // The exchange and the server agree on the time, as they do live.
  const clock = new SimulatedClock(now);
  const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0, clock });
  directory = mkdtempSync(join(tmpdir(), 'ia-download-'));
  return { server, exchange, out: join(directory, 'nested', 'binance_BTC-USDT_1h.csv'), clock };
}

describe('downloadCandles against a local Binance', () => {
  it('pages through a long history into the replay CSV, which the replay feed reads back identically', async () => {
    // 2,600 hourly candles, the last one still forming at `now`; one missing in the middle.
    const now = T0 + 2599 * HOUR + 600_000;
    const { server, exchange, out, clock } = await setUp(2600, now);
    const progress: DownloadProgress[] = [];
    const result = await downloadCandles({ exchange, symbol: 'BTC/USDT', timeframe: '1h', since: T0, out, clock, onProgress: (entry) => progress.push(entry) });

    const expected = Array.from({ length: 2599 }, (_, index) => candle(index)).filter((entry) => entry.timestamp !== T0 + 1500 * HOUR);
    expect(result).toEqual({ path: out, candles: 2598, first: T0, last: T0 + 2598 * HOUR, gaps: [{ from: T0 + 1500 * HOUR, to: T0 + 1501 * HOUR, missing: 1 }], requests: 3 });
    expect(server.sent('GET', '/api/v3/klines').map((request) => [Number(request.params.startTime), request.params.limit])).toEqual([[T0, '1000'], [T0 + 1000 * HOUR, '1000'], [T0 + 2001 * HOUR, '1000']]);
    expect(progress.map((entry) => entry.candles)).toEqual([1000, 2000, 2598]);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('timestamp_ms,open,high,low,close,volume');

    const replayed: MarketEvent[] = [];
    for await (const event of createReplayFeed({ sources: [{ symbol: 'BTC/USDT', path: out }] }).events()) replayed.push(event);
    expect(replayed.flatMap((event) => (event.type === 'candles' ? event.candles : []))).toEqual(expected);
    expect(replayed.filter((event) => event.type === 'gap')).toEqual([{ type: 'gap', symbol: 'BTC/USDT', timeframe: '1h', from: T0 + 1500 * HOUR, to: T0 + 1501 * HOUR, missing: 1 }]);
  });

  it('stops at until, and a failed download leaves no file behind', async () => {
    const { server, exchange, out, clock } = await setUp(50, T0 + 100 * HOUR);
    const result = await downloadCandles({ exchange, symbol: 'BTC/USDT', timeframe: '1h', since: T0 + 10 * HOUR, until: T0 + 20 * HOUR, out, clock, pageSize: 4 });
    expect(result.candles).toBe(10);
    expect(readFileSync(out, 'utf8').trim().split('\n').slice(1).map((line) => Number(line.split(',')[0]))).toEqual(Array.from({ length: 10 }, (_, index) => T0 + (10 + index) * HOUR));

    const failed = join(directory!, 'failed.csv');
    server.faults.push(...[1, 2].map(() => ({ path: '/api/v3/klines', kind: 'status' as const, status: 503, body: '' })));
    const error = await downloadCandles({ exchange, symbol: 'BTC/USDT', timeframe: '1h', since: T0, out: failed, clock, pageSize: 5 }).catch((caught: unknown) => caught);
    expect(isIaAgentsError(error) && error.code).toBe('EXCHANGE_UNAVAILABLE');
    expect(existsSync(failed)).toBe(false);
    expect(existsSync(`${failed}.part`)).toBe(false);
  });

  it('reports the candles missing at the end of the range as a gap too', async () => {
    const { server, exchange, out, clock } = await setUp(30, T0 + 40 * HOUR);
    server.klines.set('BTCUSDT 1h', Array.from({ length: 30 }, (_, index) => candle(index)).filter((_, index) => index < 25));
    const result = await downloadCandles({ exchange, symbol: 'BTC/USDT', timeframe: '1h', since: T0, until: T0 + 30 * HOUR, out, clock, pageSize: 10 });
    expect(result).toMatchObject({ candles: 25, last: T0 + 24 * HOUR, gaps: [{ from: T0 + 25 * HOUR, to: T0 + 30 * HOUR, missing: 5 }] });
  });

  it('rejects bad options naming the field', async () => {
    const { exchange, out } = await setUp(1, T0);
    const error = await downloadCandles({ exchange, symbol: 'BTC/USDT', timeframe: '7m' as '1m', since: T0, out }).catch((caught: unknown) => caught);
    expect(isIaAgentsError(error) && error.code).toBe('CONFIG_INVALID');
    expect(String((error as Error).message)).toContain('timeframe');
  });
});
