import { describe, expect, it, onTestFinished } from 'vitest';
import { SimulatedClock, type Candle, type MarketEvent } from '@ia-agents/core';
import { CcxtExchange } from '../ccxt/ccxt-exchange.js';
import { CcxtStream } from '../ccxt/ccxt-stream.js';
import { startLocalBinance } from '../testing/local-binance.js';
import { createPollingFeed } from './polling-feed.js';
import { createStreamingFeed } from './streaming-feed.js';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const candle = (index: number, close = 100 + index): Candle => ({ timestamp: T0 + index * MINUTE, open: 100, high: Math.max(100, close) + 1, low: Math.min(100, close) - 1, close, volume: 1 + index });

async function servers(now: number) {
  const { rest, ws, createClient, stop } = await startLocalBinance();
  onTestFinished(stop);
  const client = createClient();
  const clock = new SimulatedClock(now);
  rest.now = now;
  const exchange = new CcxtExchange({ client, attempts: 2, backoffMs: 0, clock });
  return { rest, ws, client, clock, exchange };
}

/** Runs a feed in the background, collecting its events. */
function collect(feed: { events(options?: { signal?: AbortSignal }): AsyncIterable<MarketEvent> }) {
  const events: MarketEvent[] = [];
  const controller = new AbortController();
  const done = (async () => {
    for await (const event of feed.events({ signal: controller.signal })) events.push(event);
  })();
  onTestFinished(async () => {
    controller.abort();
    await done.catch(() => undefined);
  });
  const candles = () => events.flatMap((event) => (event.type === 'candles' ? event.candles : []));
  return { events, candles, done, stop: () => controller.abort() };
}

describe('createPollingFeed (CcxtExchange REST polling of a local Binance)', () => {
  it('passes on closed candles only, once each, in order, and reports the missing one as a gap', async () => {
    const { rest, clock, exchange } = await servers(T0 + 5 * MINUTE + 30_000);
    rest.klines.set('BTCUSDT 1m', Array.from({ length: 20 }, (_, index) => candle(index)).filter((entry) => entry.timestamp !== T0 + 12 * MINUTE));
    const feed = createPollingFeed({
      exchange, symbols: ['BTC/USDT'], timeframe: '1m', warmup: 3, until: T0 + 15 * MINUTE, pollDelayMs: 1_000,
      clock, sleep: async (milliseconds) => { clock.advance(milliseconds); rest.now = clock.now(); },
    });
    const run = collect(feed);
    await run.done;
    // Candle 5 was forming at the start: not in the first batch. What had closed is warm-up history.
    expect(run.events[0]).toEqual({ type: 'candles', symbol: 'BTC/USDT', timeframe: '1m', candles: [candle(2), candle(3), candle(4)], warmup: true });
    expect(run.events.slice(1).filter((event) => event.type === 'candles' && event.warmup === true)).toEqual([]);
    expect(run.candles()).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14].map((index) => candle(index)));
    expect(run.events.filter((event) => event.type === 'gap')).toEqual([{ type: 'gap', symbol: 'BTC/USDT', timeframe: '1m', from: T0 + 12 * MINUTE, to: T0 + 13 * MINUTE, missing: 1 }]);
    // Each poll asks from the next candle expected, never again for what it has.
    const starts = rest.sent('GET', '/api/v3/klines').map((request) => Number(request.params.startTime));
    expect(starts.slice(0, 3)).toEqual([T0 + 2 * MINUTE, T0 + 5 * MINUTE, T0 + 6 * MINUTE]);
  });

  it('warms up with the 200 closed candles before its start when no warm-up is given (the engine\'s default lookback)', async () => {
    const { rest, clock, exchange } = await servers(T0 + 300 * MINUTE + 30_000);
    rest.klines.set('BTCUSDT 1m', Array.from({ length: 310 }, (_, index) => candle(index)));
    const feed = createPollingFeed({ exchange, symbols: ['BTC/USDT'], timeframe: '1m', until: T0 + 301 * MINUTE, pollDelayMs: 1_000, clock, sleep: async (milliseconds) => { clock.advance(milliseconds); rest.now = clock.now(); } });
    const run = collect(feed);
    await run.done;
    const warm = run.events.flatMap((event) => (event.type === 'candles' && event.warmup === true ? event.candles : []));
    expect(warm).toEqual(Array.from({ length: 200 }, (_, index) => candle(100 + index)));
    expect(run.candles().slice(200)).toEqual([candle(300)]);
  });

  it('retries a failed poll, tells onError, and loses nothing', async () => {
    const { rest, clock, exchange } = await servers(T0 + 3 * MINUTE + 10_000);
    rest.klines.set('BTCUSDT 1m', Array.from({ length: 10 }, (_, index) => candle(index)));
    rest.faults.push(...[1, 2].map(() => ({ path: '/api/v3/klines', kind: 'status' as const, status: 503, body: '' })));
    const errors: string[] = [];
    const feed = createPollingFeed({
      exchange, symbols: ['BTC/USDT'], timeframe: '1m', since: T0, until: T0 + 6 * MINUTE, retryMs: 500,
      clock, sleep: async (milliseconds) => { clock.advance(milliseconds); rest.now = clock.now(); }, onError: (error) => errors.push((error as { code: string }).code),
    });
    const run = collect(feed);
    await run.done;
    expect(errors).toEqual(['EXCHANGE_UNAVAILABLE']);
    expect(run.candles()).toEqual([0, 1, 2, 3, 4, 5].map((index) => candle(index)));
  });
});

describe('createPollingFeed and Retry-After', () => {
  it('waits out a rate limit the exchange would not wait for (longer than maxRetryAfterMs) instead of polling again after retryMs', async () => {
    const { rest, client, clock } = await servers(T0 + 3 * MINUTE + 10_000);
    rest.klines.set('BTCUSDT 1m', Array.from({ length: 10 }, (_, index) => candle(index)));
    const advance = async (milliseconds: number) => {
      sleeps.push(milliseconds);
      clock.advance(milliseconds);
      rest.now = clock.now();
    };
    const sleeps: number[] = [];
    const exchange = new CcxtExchange({ client, attempts: 2, backoffMs: 0, maxRetryAfterMs: 10_000, clock, sleep: advance });
    // A 429 asking for 3 s is waited out inside the exchange; a 418 asking for 2 min is not: the feed waits it out.
    rest.faults.push(
      { path: '/api/v3/klines', kind: 'status', status: 429, body: '{"code":-1003,"msg":"Too many requests."}', headers: { 'Retry-After': '3' } },
      { path: '/api/v3/klines', kind: 'status', status: 418, body: '{"code":-1003,"msg":"IP banned."}', headers: { 'Retry-After': '120' }, after: 1 },
    );
    const errors: unknown[] = [];
    const feed = createPollingFeed({ exchange, symbols: ['BTC/USDT'], timeframe: '1m', since: T0, until: T0 + 6 * MINUTE, retryMs: 500, pollDelayMs: 0, clock, sleep: advance, onError: (error) => errors.push(error) });
    const run = collect(feed);
    await run.done;
    expect(errors).toMatchObject([{ code: 'EXCHANGE_RATE_LIMITED', details: { retryAfterMs: 120_000 } }]);
    // 3 s inside the first poll; then to the next close (4 min, from 3 min 13 s); then the 2 min the 418 asked for.
    expect(sleeps.slice(0, 3)).toEqual([3_000, 47_000, 120_000]);
    expect(rest.sent('GET', '/api/v3/klines')).toHaveLength(4);
    expect(run.candles()).toEqual([0, 1, 2, 3, 4, 5].map((index) => candle(index)));
  });
});

/** A streaming feed (warm-up 2) on a local Binance at 3 min 30 s with ten 1m candles, subscribed. */
async function streaming() {
  const { rest, ws, client, clock, exchange } = await servers(T0 + 3 * MINUTE + 30_000);
  rest.klines.set('BTCUSDT 1m', Array.from({ length: 10 }, (_, index) => candle(index)));
  const stream = new CcxtStream({ client, backoffMs: 0, clock });
  const feed = createStreamingFeed({ stream, exchange, symbols: ['BTC/USDT'], timeframe: '1m', warmup: 2, clock });
  const run = collect(feed);
  onTestFinished(() => stream.close());
  await ws.subscribed('btcusdt@kline_1m');
  return { rest, ws, clock, run };
}

describe('createStreamingFeed (ccxt pro watchOHLCV on a local Binance stream, REST for the rest)', () => {
  it('passes on a candle when it closes, and after a dropped connection fills the missed candles over REST without duplicates', async () => {
    const { rest, ws, clock, run } = await streaming();
    expect(run.candles()).toEqual([candle(1), candle(2)]);
    expect(run.events.map((event) => event.type === 'candles' && event.warmup)).toEqual([true]);

    ws.kline('BTCUSDT', '1m', candle(3, 101), { closed: false });
    ws.kline('BTCUSDT', '1m', candle(3), { closed: true });
    ws.kline('BTCUSDT', '1m', candle(4, 99), { closed: false });
    await expect.poll(() => run.candles().length).toBe(3);
    expect(run.candles()[2]).toEqual(candle(3));

    // The connection drops while candle 4 forms; candles 4 and 5 close while it is down.
    ws.dropConnections();
    clock.set(T0 + 6 * MINUTE + 5_000);
    rest.now = clock.now();
    await ws.subscribed('btcusdt@kline_1m', 2);
    ws.kline('BTCUSDT', '1m', candle(5), { closed: true }); // a replay of what REST already gave
    ws.kline('BTCUSDT', '1m', candle(6, 104), { closed: false });
    await expect.poll(() => run.candles().length).toBe(5);
    clock.set(T0 + 7 * MINUTE + 1_000);
    ws.kline('BTCUSDT', '1m', candle(6), { closed: true });
    ws.kline('BTCUSDT', '1m', candle(7, 100), { closed: false });
    await expect.poll(() => run.candles().length).toBe(6);
    expect(run.candles()).toEqual([1, 2, 3, 4, 5, 6].map((index) => candle(index)));
    // Only the backfill from before the start is warm-up; what closed while the feed ran is live, REST-refilled or not.
    expect(run.events.flatMap((event) => (event.type === 'candles' ? event.candles.map(() => event.warmup === true) : []))).toEqual([true, true, false, false, false, false]);
    expect(run.events.some((event) => event.type === 'gap')).toBe(false);
    expect(ws.connectionsOpened).toBe(2);
  });
  it('with a clock a little behind the exchange, a reconnection just after a close loses no candle: one older than a candle the exchange has begun is closed', async () => {
    const { rest, ws, clock, run } = await streaming();
    ws.kline('BTCUSDT', '1m', candle(3), { closed: true });
    ws.kline('BTCUSDT', '1m', candle(4, 99), { closed: false });
    await expect.poll(() => run.candles().length).toBe(3);

    // The connection drops while candle 4 forms; it comes back 200 ms after candle 4 closed, by the
    // exchange's time, while this machine's clock is still 300 ms before that close.
    ws.dropConnections();
    rest.now = T0 + 5 * MINUTE + 200;
    clock.set(T0 + 5 * MINUTE - 300);
    await ws.subscribed('btcusdt@kline_1m', 2);
    ws.kline('BTCUSDT', '1m', candle(5, 102), { closed: false });
    await expect.poll(() => run.candles().length).toBe(4);
    clock.set(T0 + 6 * MINUTE + 1_000);
    rest.now = clock.now();
    ws.kline('BTCUSDT', '1m', candle(5), { closed: true });
    ws.kline('BTCUSDT', '1m', candle(6, 100), { closed: false });
    await expect.poll(() => run.candles().length).toBe(5);
    expect(run.candles()).toEqual([1, 2, 3, 4, 5].map((index) => candle(index)));
    expect(run.events.some((event) => event.type === 'gap')).toBe(false);
  });

  it('with orderBooks, passes on the order book beside the candles: the snapshot, then the book kept in sync, at most one per intervalMs', async () => {
    const { rest, ws, client, clock, exchange } = await servers(T0 + 3 * MINUTE + 30_000);
    rest.klines.set('BTCUSDT 1m', Array.from({ length: 10 }, (_, index) => candle(index)));
    rest.books.set('BTCUSDT', { bids: [[100, 1], [99, 2]], asks: [[101, 1], [102, 3]] });
    const stream = new CcxtStream({ client, backoffMs: 0, clock });
    onTestFinished(() => stream.close());
    const run = collect(createStreamingFeed({ stream, exchange, symbols: ['BTC/USDT'], timeframe: '1m', warmup: 2, clock, orderBooks: { limit: 5, intervalMs: 1_000 } }));
    const books = () => run.events.flatMap((event) => (event.type === 'order-book' ? [event.orderBook] : []));
    await ws.subscribed('btcusdt@depth@100ms');
    await expect.poll(() => books().length).toBe(1);
    expect(books()[0]).toEqual({ symbol: 'BTC/USDT', timestamp: T0 + 3 * MINUTE + 30_000, bids: [[100, 1], [99, 2]], asks: [[101, 1], [102, 3]] });
    expect(rest.sent('GET', '/api/v3/depth')[0]!.params).toMatchObject({ symbol: 'BTCUSDT', limit: '5' });
    // Within the second: kept in sync, not passed on.
    ws.depthUpdate('BTCUSDT', { time: T0 + 3 * MINUTE + 30_500, first: 1001, last: 1001, bids: [[100, 0]], asks: [] });
    clock.set(T0 + 3 * MINUTE + 31_000);
    ws.depthUpdate('BTCUSDT', { time: T0 + 3 * MINUTE + 31_000, first: 1002, last: 1002, bids: [], asks: [[101, 0.5]] });
    await expect.poll(() => books().length).toBe(2);
    expect(books()[1]).toEqual({ symbol: 'BTC/USDT', timestamp: T0 + 3 * MINUTE + 31_000, bids: [[99, 2]], asks: [[101, 0.5], [102, 3]] });
    // The candles go on beside the books.
    expect(run.candles()).toEqual([candle(1), candle(2)]);
  });

  it('refuses orderBooks on a stream without watchOrderBook, naming the option', () => {
    const stream = { watchOHLCV: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true as const, value: undefined }) }) }) };
    expect(() => createStreamingFeed({ stream, exchange: { fetchOHLCV: async () => [] }, symbols: ['BTC/USDT'], timeframe: '1m', orderBooks: {} })).toThrow(/orderBooks: the stream has no watchOrderBook/);
  });
});
