/**
 * CcxtExchange.fetchOHLCV pages a history as the exchange allows (property-based, real ccxt client
 * against the local Binance): whatever the history (gaps included), the page size asked for, the
 * exchange's own cap a request, `since` and `limit`, the answer is exactly the exchange's candles
 * that were asked for, in order, each once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock, type Candle } from '@ia-agents/core';
import { startLocalBinance, type LocalBinance } from '../testing/local-binance.js';
import { CcxtExchange } from './ccxt-exchange.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

let binance: LocalBinance;
beforeAll(async () => {
  binance = await startLocalBinance();
});
afterAll(async () => binance.stop());

const historyArbitrary = fc.record({
  length: fc.integer({ min: 0, max: 2_500 }),
  /** Missing candles (exchange downtime): positions and lengths of the holes. */
  holes: fc.array(fc.record({ at: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }), { maxLength: 4 }),
  /** How far into the last candle the present is (the last candle is still forming). */
  into: fc.integer({ min: 0, max: HOUR - 1 }),
  /** The exchange's own cap a request (Binance 1000; Coinbase and OKX 300). */
  cap: fc.integer({ min: 50, max: 1_000 }),
  /** The adapter's page size. */
  pageSize: fc.integer({ min: 20, max: 1_500 }),
  /** `since`: none, or an offset in candles from the first one (before it, inside, after the end). */
  since: fc.option(fc.integer({ min: -50, max: 2_600 }), { nil: undefined }),
  limit: fc.option(fc.integer({ min: 1, max: 4_000 }), { nil: undefined }),
});

describe('CcxtExchange.fetchOHLCV pagination (property-based, local Binance)', () => {
  it('returns exactly the candles asked for, in order, each once, across pages, caps and gaps', async () => {
    await fc.assert(
      fc.asyncProperty(historyArbitrary, async ({ length, holes, into, cap, pageSize, since, limit }) => {
        const missing = new Set(holes.flatMap(({ at, length: size }) => Array.from({ length: size }, (_, offset) => (at % Math.max(1, length)) + offset)));
        const history: Candle[] = [];
        for (let index = 0; index < length; index += 1) {
          if (!missing.has(index)) history.push({ timestamp: T0 + index * HOUR, open: 100 + index, high: 101 + index, low: 99 + index, close: 100.5 + index, volume: 1 + index });
        }
        const now = T0 + Math.max(0, length - 1) * HOUR + into;
        binance.rest.klines.set('BTCUSDT 1h', history);
        binance.rest.now = now;
        binance.rest.klinesPerRequest = cap;
        const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 1, backoffMs: 0, clock: new SimulatedClock(now), ohlcvPageSize: pageSize });
        const from = since === undefined ? undefined : T0 + since * HOUR;
        const served = history.filter((candle) => candle.timestamp <= now);
        const wanted = from === undefined ? served.slice(-(limit ?? pageSize)) : served.filter((candle) => candle.timestamp >= from).slice(0, limit ?? Number.POSITIVE_INFINITY);
        expect(await exchange.fetchOHLCV('BTC/USDT', '1h', from, limit)).toEqual(wanted);
      }),
      { numRuns: 60, seed: 20261211 },
    );
  });

  it('finds the latest candles across an outage longer than what is still missing, and stops at the start of the history', async () => {
    // 100 hourly candles with the exchange down for 20 of them (60-79); at most 10 candles a request.
    const history: Candle[] = Array.from({ length: 100 }, (_, index) => ({ timestamp: T0 + index * HOUR, open: 1, high: 1, low: 1, close: 1 + index, volume: 1 })).filter((_, index) => index < 60 || index >= 80);
    binance.rest.klines.set('BTCUSDT 1h', history);
    binance.rest.now = T0 + 99 * HOUR;
    binance.rest.klinesPerRequest = 10;
    const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 1, backoffMs: 0, clock: new SimulatedClock(T0 + 99 * HOUR), ohlcvPageSize: 10 });
    expect((await exchange.fetchOHLCV('BTC/USDT', '1h', undefined, 30)).map((candle) => candle.close - 1)).toEqual([...Array.from({ length: 10 }, (_, index) => 50 + index), ...Array.from({ length: 20 }, (_, index) => 80 + index)]);
    // More than the exchange has: all of it, after a few empty windows before the first candle.
    expect(await exchange.fetchOHLCV('BTC/USDT', '1h', undefined, 500)).toEqual(history);
  });
});
