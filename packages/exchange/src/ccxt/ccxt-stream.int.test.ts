import { describe, expect, it, onTestFinished } from 'vitest';
import { SimulatedClock, type Candle } from '@ia-agents/core';
import { startLocalBinance } from '../testing/local-binance.js';
import { CcxtStream, type StreamReconnect } from './ccxt-stream.js';

const T0 = Date.UTC(2024, 0, 1);
const candle = (index: number, close: number): Candle => ({ timestamp: T0 + index * 60_000, open: 100, high: Math.max(100, close) + 1, low: Math.min(100, close) - 1, close, volume: 2.5 });

async function connect() {
  const { rest, ws, createClient, stop } = await startLocalBinance();
  const reconnects: StreamReconnect[] = [];
  const stream = new CcxtStream({ client: createClient(), backoffMs: 10, random: () => 0.6, onReconnect: (reconnect) => reconnects.push(reconnect), clock: new SimulatedClock(T0) });
  onTestFinished(stop);
  onTestFinished(() => stream.close());
  return { rest, ws, stream, reconnects };
}

describe('CcxtStream (ccxt pro against a local Binance stream server)', () => {
  it('subscribes to <symbol>@kline_<tf>, yields candle updates, and resubscribes after the server drops the connection', async () => {
    const { ws, stream, reconnects } = await connect();
    const updates = stream.watchOHLCV('BTC/USDT', '1m')[Symbol.asyncIterator]();
    const first = updates.next();
    await ws.subscribed('btcusdt@kline_1m');
    expect(ws.requests[0]).toMatchObject({ method: 'SUBSCRIBE', params: ['btcusdt@kline_1m'], connection: 1 });
    ws.kline('BTCUSDT', '1m', candle(0, 101), { closed: false });
    expect((await first).value).toEqual({ candles: [candle(0, 101)], resumed: false });

    const second = updates.next();
    ws.dropConnections();
    await ws.subscribed('btcusdt@kline_1m', 2);
    ws.kline('BTCUSDT', '1m', candle(1, 99), { closed: false });
    expect((await second).value).toEqual({ candles: [candle(1, 99)], resumed: true });
    expect(ws.requests.at(-1)).toMatchObject({ method: 'SUBSCRIBE', params: ['btcusdt@kline_1m'], connection: 2 });
    expect(reconnects).toHaveLength(1);
    expect(reconnects[0]).toMatchObject({ operation: 'watchOHLCV', symbol: 'BTC/USDT', attempt: 1, delayMs: 7 }); // 10 ms less the drawn share (0.6) of the jitter (0.5)
    expect(reconnects[0]!.error.code).toBe('EXCHANGE_NETWORK');
    await updates.return?.(undefined);
  });

  it('ends a stream when its signal aborts', async () => {
    const { ws, stream } = await connect();
    const controller = new AbortController();
    const updates = stream.watchOHLCV('BTC/USDT', '1m', { signal: controller.signal })[Symbol.asyncIterator]();
    const first = updates.next();
    await ws.subscribed('btcusdt@kline_1m');
    controller.abort();
    expect(await first).toEqual({ value: undefined, done: true });
  });

  it('maps 24hrTicker events to tickers', async () => {
    const { ws, stream } = await connect();
    const tickers = stream.watchTicker('BTC/USDT')[Symbol.asyncIterator]();
    const first = tickers.next();
    await ws.subscribed('btcusdt@ticker');
    ws.ticker('BTCUSDT', { time: T0 + 5_000, last: 42_000.5, bid: 42_000.4, ask: 42_000.6, volume: 1234.5, changePercent: 1.25 });
    expect((await first).value).toEqual({ symbol: 'BTC/USDT', timestamp: T0 + 5_000, last: 42_000.5, bid: 42_000.4, ask: 42_000.6, baseVolume: 1234.5, percentage: 1.25 });
    await tickers.return?.(undefined);
  });

  it('keeps the order book from the REST snapshot plus diff-depth events', async () => {
    const { rest, ws, stream } = await connect();
    rest.books.set('BTCUSDT', { bids: [[100, 1], [99, 2]], asks: [[101, 1], [102, 3]] });
    rest.bookUpdateId = 1000;
    const books = stream.watchOrderBook('BTC/USDT', { limit: 5 })[Symbol.asyncIterator]();
    const first = books.next();
    await ws.subscribed('btcusdt@depth@100ms');
    // The snapshot is fetched once the subscription is confirmed; the diffs after it apply on top.
    await expect.poll(() => rest.sent('GET', '/api/v3/depth').length).toBe(1);
    expect(rest.sent('GET', '/api/v3/depth')[0]!.params).toMatchObject({ symbol: 'BTCUSDT', limit: '5' });
    // The snapshot comes first (Binance's depth carries no time: stamped with our clock).
    expect((await first).value).toEqual({ symbol: 'BTC/USDT', timestamp: T0, bids: [[100, 1], [99, 2]], asks: [[101, 1], [102, 3]] });
    const second = books.next();
    ws.depthUpdate('BTCUSDT', { time: T0 + 1_000, first: 1001, last: 1002, bids: [[100, 0], [99.5, 4]], asks: [[101, 0.5]] });
    expect((await second).value).toEqual({ symbol: 'BTC/USDT', timestamp: T0 + 1_000, bids: [[99.5, 4], [99, 2]], asks: [[101, 0.5], [102, 3]] });
    await books.return?.(undefined);
  });

  it('resubscribes the ticker stream after a drop and goes on with the next event', async () => {
    const { ws, stream, reconnects } = await connect();
    const tickers = stream.watchTicker('BTC/USDT')[Symbol.asyncIterator]();
    const first = tickers.next();
    await ws.subscribed('btcusdt@ticker');
    ws.ticker('BTCUSDT', { time: T0 + 1_000, last: 42_000, bid: 41_999, ask: 42_001, volume: 1_000, changePercent: 1 });
    expect((await first).value).toMatchObject({ timestamp: T0 + 1_000, last: 42_000 });

    const second = tickers.next();
    ws.dropConnections();
    await ws.subscribed('btcusdt@ticker', 2);
    ws.ticker('BTCUSDT', { time: T0 + 9_000, last: 41_500, bid: 41_499, ask: 41_501, volume: 1_100, changePercent: -0.5 });
    expect((await second).value).toEqual({ symbol: 'BTC/USDT', timestamp: T0 + 9_000, last: 41_500, bid: 41_499, ask: 41_501, baseVolume: 1_100, percentage: -0.5 });
    expect(ws.requests.at(-1)).toMatchObject({ method: 'SUBSCRIBE', params: ['btcusdt@ticker'], connection: 2 });
    expect(reconnects.map(({ operation, symbol, attempt, error }) => ({ operation, symbol, attempt, code: error.code }))).toEqual([{ operation: 'watchTicker', symbol: 'BTC/USDT', attempt: 1, code: 'EXCHANGE_NETWORK' }]);
    await tickers.return?.(undefined);
  });

  it('rebuilds the order book from a fresh REST snapshot after a drop, then applies the diffs that follow it', async () => {
    const { rest, ws, stream, reconnects } = await connect();
    rest.books.set('BTCUSDT', { bids: [[100, 1]], asks: [[101, 1]] });
    rest.bookUpdateId = 1000;
    const books = stream.watchOrderBook('BTC/USDT', { limit: 5 })[Symbol.asyncIterator]();
    expect((await books.next()).value).toMatchObject({ bids: [[100, 1]], asks: [[101, 1]] });

    // While the connection is down the book moves on: the old state must not survive.
    rest.books.set('BTCUSDT', { bids: [[95, 2]], asks: [[96, 3]] });
    rest.bookUpdateId = 2000;
    const next = books.next();
    ws.dropConnections();
    await ws.subscribed('btcusdt@depth@100ms', 2);
    await expect.poll(() => rest.sent('GET', '/api/v3/depth').length).toBe(2);
    expect((await next).value).toEqual({ symbol: 'BTC/USDT', timestamp: T0, bids: [[95, 2]], asks: [[96, 3]] });

    const after = books.next();
    ws.depthUpdate('BTCUSDT', { time: T0 + 5_000, first: 2001, last: 2001, bids: [[95.5, 1]], asks: [] });
    expect((await after).value).toEqual({ symbol: 'BTC/USDT', timestamp: T0 + 5_000, bids: [[95.5, 1], [95, 2]], asks: [[96, 3]] });
    expect(reconnects.map((reconnect) => reconnect.operation)).toEqual(['watchOrderBook']);
    await books.return?.(undefined);
  });
});
