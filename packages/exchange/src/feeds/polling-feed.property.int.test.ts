/**
 * The polling feed over the real ccxt client and the local Binance (property-based): whatever the
 * history (outages included), the start, `warmup` or `since`, `until`, the delays, a clock a little
 * behind the exchange's and the failed requests on the way, it passes on exactly the closed candles of its range, once each, in order,
 * warm-up first, with a gap event for every hole between them, and it ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock, type Candle, type MarketEvent } from '@ia-agents/core';
import { CcxtExchange } from '../ccxt/ccxt-exchange.js';
import { startLocalBinance, type LocalBinance } from '../testing/local-binance.js';
import { createPollingFeed } from './polling-feed.js';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

let binance: LocalBinance;
beforeAll(async () => {
  binance = await startLocalBinance();
});
afterAll(async () => binance.stop());

const scenario = fc
  .record({
    length: fc.integer({ min: 5, max: 60 }),
    holes: fc.array(fc.record({ at: fc.nat(), size: fc.integer({ min: 1, max: 5 }) }), { maxLength: 3 }),
    /** The feed starts this many candles (and seconds) after T0. */
    startAt: fc.nat(),
    startSecond: fc.integer({ min: 0, max: 59 }),
    start: fc.oneof(fc.record({ warmup: fc.integer({ min: 0, max: 8 }) }), fc.record({ since: fc.nat() })),
    /** `until`, in candles after the start. */
    until: fc.integer({ min: 1, max: 40 }),
    pollDelayMs: fc.integer({ min: 0, max: 3_000 }),
    /** How far this machine's clock runs behind the exchange's. */
    skewMs: fc.integer({ min: 0, max: 2_000 }),
    retryMs: fc.integer({ min: 100, max: 20_000 }),
    /** Failed requests: 503, 502 or a 429, each after this many requests that went through. */
    faults: fc.array(fc.record({ after: fc.integer({ min: 0, max: 6 }), status: fc.constantFrom(502, 503, 429) }), { maxLength: 4 }),
  })
  .map((drawn) => {
    const startIndex = drawn.startAt % drawn.length;
    return { ...drawn, startIndex, sinceIndex: 'since' in drawn.start ? drawn.start.since % (startIndex + 1) : undefined };
  });

describe('createPollingFeed (property-based, local Binance)', () => {
  it('passes on exactly the closed candles of its range, once each, in order, warm-up first, every hole a gap, and ends', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (drawn) => {
        const { length, holes, startIndex, startSecond, start, pollDelayMs, skewMs, retryMs, faults, sinceIndex } = drawn;
        const missing = new Set(holes.flatMap(({ at, size }) => Array.from({ length: size }, (_, offset) => (at % length) + offset)));
        // The history goes on after `until` (candles keep coming), with holes wherever they fell.
        const history: Candle[] = [];
        for (let index = 0; index < length + 50; index += 1) if (!missing.has(index)) history.push({ timestamp: T0 + index * MINUTE, open: 100 + index, high: 101 + index, low: 99 + index, close: 100.5 + index, volume: 1 + index });
        const now = T0 + startIndex * MINUTE + startSecond * 1_000;
        const until = T0 + (startIndex + drawn.until) * MINUTE;
        const server = binance.rest;
        server.klines.set('BTCUSDT 1m', history);
        server.now = now + skewMs;
        server.faults.splice(0, server.faults.length, ...faults.map(({ after, status }) => ({ path: '/api/v3/klines', kind: 'status' as const, status, body: status === 429 ? '{"code":-1003,"msg":"Too many requests."}' : '', after })));
        const clock = new SimulatedClock(now);
        const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 1, backoffMs: 0, clock });
        const controller = new AbortController();
        const sleep = async (milliseconds: number) => {
          clock.advance(milliseconds);
          server.now = clock.now() + skewMs;
          // A feed still running half an hour after `until` (with candles after it published) never ends.
          if (clock.now() > until + 30 * MINUTE) controller.abort();
        };
        const range = sinceIndex === undefined ? { warmup: (start as { warmup: number }).warmup } : { since: T0 + sinceIndex * MINUTE };
        const feed = createPollingFeed({ exchange, symbols: ['BTC/USDT'], timeframe: '1m', ...range, until, pollDelayMs, retryMs, clock, sleep });
        const events: MarketEvent[] = [];
        for await (const event of feed.events({ signal: controller.signal })) events.push(event);
        expect(controller.signal.aborted).toBe(false);

        const first = sinceIndex === undefined ? T0 + (startIndex - (start as { warmup: number }).warmup) * MINUTE : T0 + sinceIndex * MINUTE;
        const expected = history.filter((candle) => candle.timestamp >= first && candle.timestamp < until);
        const batches = events.filter((event) => event.type === 'candles');
        expect(batches.flatMap((event) => event.candles)).toEqual(expected);
        // Warm-up: the candles that had closed when the feed started, and only they, before the rest.
        for (const batch of batches) for (const candle of batch.candles) expect(batch.warmup === true).toBe(candle.timestamp + MINUTE <= now);
        // A gap event for every hole between two candles passed on, right before the candle after it,
        // and for a hole between the last one and `until`.
        const ends = [...expected.map((candle) => candle.timestamp), until];
        const expectedGaps = expected.flatMap((candle, index) => {
          const next = ends[index + 1]!;
          return next - candle.timestamp > MINUTE ? [{ type: 'gap', symbol: 'BTC/USDT', timeframe: '1m', from: candle.timestamp + MINUTE, to: next, missing: (next - candle.timestamp) / MINUTE - 1 }] : [];
        });
        expect(events.filter((event) => event.type === 'gap')).toEqual(expectedGaps);
        // Each gap comes right before the candle after it (the last one at the end).
        for (const [index, event] of events.entries()) if (event.type === 'gap') expect(events[index + 1] === undefined ? until : (events[index + 1] as { candles: Candle[] }).candles[0]!.timestamp).toBe(event.to);
      }),
      { numRuns: 100, seed: 20261212 },
    );
  });
});
