/**
 * The TradingEngine trading live through CcxtExchange and the real ccxt client against the local
 * Binance: what only a live venue asks of the engine (open orders of every symbol for the risk gate,
 * fills polled symbol by symbol, Binance's own one-cancels-the-other, a restart that takes over).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { SimulatedClock, createTradingEngine, defineAssistant, type Candle, type MarketFeed, type Order } from '@ia-agents/core';
import { MemoryStore, createArrayFeed } from '@ia-agents/core/testing';
import { startLocalBinance } from '../testing/local-binance.js';
import { CcxtExchange } from './ccxt-exchange.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const flat = (index: number, price: number): Candle => ({ timestamp: T0 + index * HOUR, open: price, high: price, low: price, close: price, volume: 10 });

async function venue() {
  const binance = await startLocalBinance();
  onTestFinished(binance.stop);
  binance.rest.price = 100;
  return binance;
}

/** A team that buys once with a stop-loss at 90 and a take-profit at 110, then holds. */
function buyOnce() {
  let calls = 0;
  return defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: calls++ === 0 ? 'BUY' : 'HOLD', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.1, stopLoss: 90, takeProfit: 110 } }) });
}

describe('TradingEngine live on CcxtExchange (real ccxt, local Binance)', () => {
  it('places a sized market entry, records its fill, protects it with a Binance order list, and records the take-profit when the market reaches it', async () => {
    const binance = await venue();
    const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0 });
    const store = new MemoryStore();
    const events: string[] = [];
    const engine = createTradingEngine({
      exchange,
      store,
      feed: createArrayFeed({ candles: { 'BTC/USDT': [flat(0, 100), flat(1, 100), flat(2, 111), flat(3, 111)] }, timeframe: '1h', batchSize: 1 }),
      assistants: [buyOnce()],
      clock: new SimulatedClock(T0),
      learning: false,
      riskLimits: { minConfidence: 0 },
      // The market trades at each candle's close as it closes.
      onCandle: (_symbol, candle) => void binance.rest.tradeAt(candle.close),
    });
    engine.bus.on('order-place', ({ order }) => void events.push(`place ${order.type} ${order.status}`));
    engine.bus.on('order-fill', ({ order, fill }) => void events.push(`fill ${order?.type} ${fill.side} ${fill.price}`));
    engine.bus.on('order-reject', ({ reason }) => void events.push(`reject ${reason}`));
    engine.bus.on('engine-error', ({ error, stage }) => void events.push(`error ${stage} ${error.message}`));
    const summary = await engine.run();
    expect(events).toEqual(['place market filled', 'fill market buy 100', 'place stop-loss open', 'place take-profit open', 'fill take-profit sell 111']);
    expect(summary).toMatchObject({ orders: 3, fills: 2, rejections: 0, errors: 0 });
    // Binance expired the stop-loss with the list; the engine recorded that too.
    const stored = Object.fromEntries((await store.listOrders()).map((order: Order) => [order.type, order.status]));
    expect(stored).toEqual({ market: 'filled', 'stop-loss': 'cancelled', 'take-profit': 'filled' });
    expect(binance.rest.orderLists).toHaveLength(1);
    expect(binance.rest.orders.filter((order) => order.type === 'MARKET')).toHaveLength(1);
  });

  it('records the fill of a take-profit that rested three days (Binance lists trades 24 hours at a time), asking each poll only from the one before, with the legs stamped when they were placed', async () => {
    const binance = await venue();
    // Binance's clock and the engine's move with the candles (hourly, 77 of them).
    const clock = new SimulatedClock(T0);
    const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0, clock });
    const store = new MemoryStore();
    const fills: string[] = [];
    const prices = Array.from({ length: 77 }, (_, index) => (index < 40 ? 100 : index < 75 ? 105 : 111));
    const engine = createTradingEngine({
      exchange,
      store,
      feed: createArrayFeed({ candles: { 'BTC/USDT': prices.map((price, index) => flat(index, price)) }, timeframe: '1h', batchSize: 1 }),
      assistants: [buyOnce()],
      clock,
      learning: false,
      riskLimits: { minConfidence: 0 },
      onCandle: (_symbol, candle) => {
        binance.rest.orderTime = candle.timestamp + HOUR;
        binance.rest.tradeAt(candle.close);
      },
    });
    engine.bus.on('order-fill', ({ order, fill }) => void fills.push(`${order?.type} ${fill.side} ${fill.price}`));
    binance.rest.orderTime = T0 + HOUR;
    await engine.run();
    expect(fills).toEqual(['market buy 100', 'take-profit sell 111']);
    expect([...store.fills.values()].map((fill) => [fill.side, fill.timestamp])).toEqual([['buy', T0 + HOUR], ['sell', T0 + 76 * HOUR]]);
    // Every poll asked for the hour since the one before (less a margin), never for days of trades.
    const starts = binance.rest.sent('GET', '/api/v3/myTrades').map((request) => Number(request.params.startTime));
    expect(starts.length).toBeGreaterThan(70);
    expect(starts.every(Number.isFinite)).toBe(true);
    // The legs were made when Binance placed them (its answer says workingTime -1 for a stop not yet triggered).
    expect((await store.listOrders()).map((order) => order.createdAt)).toEqual([T0 + HOUR, T0 + HOUR, T0 + HOUR]);
    for (const [index, start] of starts.entries()) if (index > 1) expect(start).toBeGreaterThanOrEqual(starts[index - 1]!);
    expect(starts.at(-1)).toBeGreaterThan(T0 + 74 * HOUR);
  });

  it('cancels the order list before the team sells, then sells the whole holding once', async () => {
    const binance = await venue();
    const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0 });
    let calls = 0;
    const flipper = defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: calls++ === 0 ? 'BUY' : 'SELL', confidence: 0.9, reasoning: 'in and out', plan: { sizeFraction: 0.1, stopLoss: 90, takeProfit: 110 } }) });
    const events: string[] = [];
    const engine = createTradingEngine({
      exchange,
      feed: createArrayFeed({ candles: { 'BTC/USDT': [flat(0, 100), flat(1, 101)] }, timeframe: '1h', batchSize: 1 }),
      assistants: [flipper],
      clock: new SimulatedClock(T0),
      learning: false,
      riskLimits: { minConfidence: 0 },
      onCandle: (_symbol, candle) => void binance.rest.tradeAt(candle.close),
    });
    engine.bus.on('order-place', ({ order }) => void events.push(`place ${order.type} ${order.side} ${order.status}`));
    engine.bus.on('order-cancel', ({ order }) => void events.push(`cancel ${order.type}`));
    engine.bus.on('order-reject', ({ reason }) => void events.push(`reject ${reason}`));
    engine.bus.on('engine-error', ({ error, stage }) => void events.push(`error ${stage} ${error.message}`));
    await engine.run();
    expect(events).toEqual(['place market buy filled', 'place stop-loss sell open', 'place take-profit sell open', 'cancel stop-loss', 'cancel take-profit', 'place market sell filled']);
    const [buy, sell] = binance.rest.orders.filter((order) => order.type === 'MARKET');
    expect(sell!.origQty).toBe(buy!.origQty);
    expect(binance.rest.balances.BTC).toEqual({ free: 0, locked: 0 });
  });

  it('after a restart, records the take-profit Binance filled while no engine ran, and takes nothing else for new', async () => {
    const binance = await venue();
    const store = new MemoryStore();
    const first = createTradingEngine({
      exchange: new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0 }),
      store,
      feed: createArrayFeed({ candles: { 'BTC/USDT': [flat(0, 100)] }, timeframe: '1h', batchSize: 1 }),
      assistants: [buyOnce()],
      clock: new SimulatedClock(T0),
      learning: false,
      riskLimits: { minConfidence: 0 },
    });
    await first.run();
    expect((await store.listOrders()).map((order: Order) => `${order.type} ${order.status}`).sort()).toEqual(['market filled', 'stop-loss open', 'take-profit open']);
    // Down: the market reaches the take-profit; Binance fills it and expires the stop-loss.
    binance.rest.tradeAt(112);
    const holder = defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: 'HOLD', confidence: 0.9, reasoning: 'wait' }) });
    const events: string[] = [];
    const second = createTradingEngine({
      exchange: new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0 }),
      store,
      feed: createArrayFeed({ candles: { 'BTC/USDT': [flat(5, 112), flat(6, 112)] }, timeframe: '1h', batchSize: 1 }),
      assistants: [holder],
      clock: new SimulatedClock(T0 + 5 * HOUR),
      learning: false,
    });
    second.bus.on('order-fill', ({ order, fill }) => void events.push(`fill ${order?.type} ${fill.price}`));
    second.bus.on('engine-error', ({ error, stage }) => void events.push(`error ${stage} ${error.message}`));
    await second.run();
    expect(events).toEqual(['fill take-profit 112']);
    expect((await store.listOrders()).map((order: Order) => `${order.type} ${order.status}`).sort()).toEqual(['market filled', 'stop-loss cancelled', 'take-profit filled']);
    expect(store.fills.size).toBe(2);
    expect(binance.rest.sent('POST', '/api/v3/order')).toHaveLength(1);
    expect(binance.rest.sent('POST', '/api/v3/orderList/oco')).toHaveLength(1);
  });

  describe('with the user-data stream (watchOrders over the WebSocket API)', () => {
    /** A live feed: these candles, then nothing until the run is stopped (the next candle is an hour away). */
    function waitingFeed(candles: Candle[], stop: AbortSignal): MarketFeed {
      return {
        specificationVersion: 'v1',
        symbols: ['BTC/USDT'],
        timeframe: '1h',
        async *events() {
          yield { type: 'candles', symbol: 'BTC/USDT', timeframe: '1h', candles };
          await new Promise((resolve) => stop.addEventListener('abort', resolve));
        },
      };
    }

    const until = async (done: () => boolean | Promise<boolean>) => {
      for (let attempt = 0; attempt < 300 && !(await done()); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    /** Until the engine sends Binance nothing for 100 ms (the poll after the candle batch is over). */
    const settled = async (binance: Awaited<ReturnType<typeof venue>>) => {
      let quiet = 0;
      for (let seen = -1; quiet < 10; quiet = seen === binance.rest.requests.length ? quiet + 1 : 0) {
        seen = binance.rest.requests.length;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    /**
     * A live engine buying once with a stop-loss at 90 and a take-profit at 110, with no poll timer
     * (fillPollMs 0: between candles only the stream can bring a fill), once the order list is
     * placed and the engine idle.
     */
    const tradeOnce = async (binance: Awaited<ReturnType<typeof venue>>, exchange: CcxtExchange) => {
      const store = new MemoryStore();
      const stop = new AbortController();
      const events: string[] = [];
      const engine = createTradingEngine({ exchange, store, feed: waitingFeed([flat(0, 100)], stop.signal), assistants: [buyOnce()], clock: new SimulatedClock(T0), learning: false, riskLimits: { minConfidence: 0 }, fillPollMs: 0 });
      engine.bus.on('order-fill', ({ order, fill }) => void events.push(`fill ${order?.type} ${fill.side} ${fill.price}`));
      engine.bus.on('engine-error', ({ error, stage }) => void events.push(`error ${stage} ${error.message}`));
      const running = engine.run({ signal: stop.signal });
      await binance.ws.userDataSubscribed();
      await until(() => binance.rest.orderLists.length === 1);
      await settled(binance);
      return { store, events, stop, running };
    };
    const statuses = async (store: MemoryStore) => (await store.listOrders()).map((order: Order) => `${order.type} ${order.status}`).sort();

    it('records a stop-loss Binance filled between candles from its executionReport, without asking for the trade or reading the order, and its take-profit expired with it, with no poll timer', async () => {
      const binance = await venue();
      const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0 });
      expect(exchange.supportsOrderUpdates).toBe(true);
      const { store, events, stop, running } = await tradeOnce(binance, exchange);
      expect(events).toEqual(['fill market buy 100']);
      const trades = binance.rest.sent('GET', '/api/v3/myTrades').length;
      const reads = binance.rest.sent('GET', '/api/v3/order').length;
      // The market falls through the stop-loss while the next candle is still forming.
      binance.rest.tradeAt(89);
      await until(() => events.length === 2);
      expect(events).toEqual(['fill market buy 100', 'fill stop-loss sell 89']);
      await until(async () => (await statuses(store)).includes('take-profit cancelled'));
      expect(await statuses(store)).toEqual(['market filled', 'stop-loss filled', 'take-profit cancelled']);
      expect(store.fills.size).toBe(2);
      // The trade came with the executionReport: no request asked for it (only the orders' states were read).
      expect(binance.rest.sent('GET', '/api/v3/myTrades').length).toBe(trades);
      // The executionReports stated the orders too: the stop-loss is not read again, only the
      // take-profit, once, before it is cancelled (its own report of the expiry came after).
      await settled(binance);
      expect(binance.rest.sent('GET', '/api/v3/order').slice(reads).map((request) => String(request.params.origClientOrderId).slice(-3))).toEqual(['-tp']);
      stop.abort();
      await running;
    });

    it('asks for fills as soon as the stream reconnects after a drop: a stop-loss filled while the socket was down is recorded without a poll timer', async () => {
      const binance = await venue();
      const reconnects: string[] = [];
      const exchange = new CcxtExchange({ client: binance.createClient(), attempts: 2, backoffMs: 0, onReconnect: ({ operation, attempt, error }) => void reconnects.push(`${operation} ${attempt} ${error.code}`) });
      const { store, events, stop, running } = await tradeOnce(binance, exchange);
      // The socket drops and the stop-loss fills before any socket is back: its executionReport is lost.
      binance.ws.dropConnections();
      binance.rest.tradeAt(89);
      await until(() => events.length === 2);
      expect(events).toEqual(['fill market buy 100', 'fill stop-loss sell 89']);
      expect(reconnects).toEqual(['watchOrders 1 EXCHANGE_NETWORK']);
      await binance.ws.userDataSubscribed(2);
      await until(async () => (await statuses(store)).includes('take-profit cancelled'));
      expect(await statuses(store)).toEqual(['market filled', 'stop-loss filled', 'take-profit cancelled']);
      stop.abort();
      await running;
    });
  });
});
