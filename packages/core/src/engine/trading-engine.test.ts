import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExchangeError, SimulatedClock, createEventBus, createTradingEngine, defineAssistant, everyNthCandle, timeframeToMs, type Assistant, type Candle, type Exchange, type MarketFeed, type MarketSnapshot, type OcoRequest, type Order, type OrderUpdate, type Timeframe, type TradeOutcome } from '../index.js';
import { MemoryStore, TestExchange, buildCandles, createArrayFeed, createScriptedAssistant } from '../testing/index.js';

const candles = buildCandles({ count: 60, timeframe: '1h', seed: 7 });
const feedOf = (series: readonly Candle[] = candles, timeframe: Timeframe = '1h', batchSize = 16) => createArrayFeed({ candles: { 'BTC/USDT': series }, timeframe, batchSize });

/** Hides the simulation hooks so that the engine treats the exchange as a live venue. */
/**
 * A live venue at 100 and a planner that buys once with a stop-loss at 95 and a take-profit at
 * 106; its feed brings two candles, then nothing until `stop` aborts (the next is an hour away).
 */
function liveEntryWithExits() {
  const series = buildCandles({ closes: [100, 100, 101] });
  const venue = new TestExchange({ cash: 10_000 });
  venue.onCandle('BTC/USDT', series[0]!);
  let calls = 0;
  const planner = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: calls++ === 0 ? 'BUY' : 'HOLD', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.2, stopLoss: 95, takeProfit: 106 } }) });
  const stop = new AbortController();
  const feed: MarketFeed = {
    specificationVersion: 'v1',
    symbols: ['BTC/USDT'],
    timeframe: '1h',
    async *events() {
      yield { type: 'candles', symbol: 'BTC/USDT', timeframe: '1h', candles: series.slice(1) };
      await new Promise((resolve) => stop.signal.addEventListener('abort', resolve));
    },
  };
  return { series, venue, planner, stop, feed };
}

/** A live venue whose order-update stream the test feeds (`push`), counting the fill polls, state lookups and stream follows. */
function withUpdateStream(venue: TestExchange) {
  const queue: (OrderUpdate | Error)[] = [];
  let wake: (() => void) | undefined;
  const push = (item: OrderUpdate | Error) => {
    queue.push(item);
    wake?.();
  };
  const calls = { polls: 0, follows: 0, lookups: [] as string[] };
  const exchange: Exchange = {
    ...live(venue),
    fetchFills: (symbol, since) => {
      calls.polls += 1;
      return venue.fetchFills(symbol, since);
    },
    fetchOrderByClientId: (clientOrderId) => {
      calls.lookups.push(clientOrderId);
      return venue.fetchOrderByClientId(clientOrderId);
    },
    async *watchOrderUpdates({ signal }) {
      calls.follows += 1;
      while (!signal.aborted) {
        if (queue.length === 0) await new Promise<void>((resolve) => { wake = resolve; signal.addEventListener('abort', () => resolve(), { once: true }); });
        const item = queue.shift();
        if (item instanceof Error) throw item;
        if (item !== undefined) yield item;
      }
    },
  };
  return { exchange, push, calls };
}

function live(inner: TestExchange): Exchange {
  return {
    specificationVersion: 'v1',
    id: 'live-test',
    fetchMarket: (symbol) => inner.fetchMarket(symbol),
    fetchBalance: () => inner.fetchBalance(),
    fetchTicker: (symbol) => inner.fetchTicker(symbol),
    fetchOrderBook: (symbol) => inner.fetchOrderBook(symbol),
    fetchOHLCV: (symbol, timeframe, since, limit) => inner.fetchOHLCV(symbol, timeframe, since, limit),
    createOrder: (request) => inner.createOrder(request),
    cancelOrder: (id) => inner.cancelOrder(id),
    fetchOrder: (id) => inner.fetchOrder(id),
    fetchOrderByClientId: (id) => inner.fetchOrderByClientId(id),
    fetchOpenOrders: (symbol) => inner.fetchOpenOrders(symbol),
    fetchFills: (symbol, since) => inner.fetchFills(symbol, since),
  };
}


describe('TradingEngine', () => {
  it('never hands an assistant a candle that closes after the decision time (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 80 }), fc.constantFrom<Timeframe>('1m', '5m', '1h', '1d'), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1000 }), async (count, timeframe, every, batchSize, seed) => {
        const series = buildCandles({ count, timeframe, seed });
        const clock = new SimulatedClock(0);
        const seen: { snapshot: MarketSnapshot; now: number }[] = [];
        const spy = defineAssistant({ id: 'spy', analyze: (snapshot) => (seen.push({ snapshot, now: clock.now() }), { assistantId: 'spy', action: 'HOLD', confidence: 0.5, reasoning: 'watching' }) });
        const engine = createTradingEngine({ exchange: new TestExchange(), feed: feedOf(series, timeframe, batchSize), assistants: [spy], clock, trigger: everyNthCandle(every), lookback: 10, learning: false });
        await engine.run();
        expect(seen).toHaveLength(Math.floor(count / every));
        seen.forEach(({ snapshot, now }, k) => {
          const fired = series[(k + 1) * every - 1]!;
          expect(snapshot.candles.at(-1)).toEqual(fired);
          expect(snapshot.timestamp).toBe(fired.timestamp + timeframeToMs(timeframe));
          expect(snapshot.timestamp).toBeLessThanOrEqual(now);
          for (const candle of snapshot.candles) expect(candle.timestamp + timeframeToMs(timeframe)).toBeLessThanOrEqual(snapshot.timestamp);
          expect(snapshot.candles.length).toBeLessThanOrEqual(10);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('turns an agreed BUY into a sized market order, and records decision, order and audit', async () => {
    const store = new MemoryStore();
    const exchange = new TestExchange({ cash: 10_000 });
    const bus = createEventBus();
    const events: string[] = [];
    bus.on('decision-make', ({ decision }) => events.push(`decision ${decision.action}`));
    bus.on('order-place', ({ order }) => events.push(`order ${order.side} ${order.status}`));
    const team = [createScriptedAssistant({ id: 'a', turns: [{ action: 'BUY', confidence: 0.9 }] }), createScriptedAssistant({ id: 'b', turns: [{ action: 'BUY', confidence: 0.9 }] })];
    const engine = createTradingEngine({ exchange, feed: feedOf(candles.slice(0, 30)), assistants: team, store, bus, clock: new SimulatedClock(), trigger: everyNthCandle(30), riskLimits: { maxPositionFraction: 0.25 } });
    bus.on('order-fill', ({ fill }) => events.push(`fill ${fill.side} ${fill.amount > 0}`));
    const summary = await engine.run();
    expect(summary).toMatchObject({ candles: 30, decisions: 1, orders: 1, fills: 1, rejections: 0 });
    expect(events).toEqual(['decision BUY', 'order buy filled', 'fill buy true']);
    expect([...store.fills.values()].map((fill) => fill.clientOrderId)).toEqual([(await store.listOrders())[0]!.clientOrderId]);
    const [order] = await store.listOrders();
    const price = candles[29]!.close;
    expect(order!.amount * price).toBeCloseTo(2500, 6);
    expect(order!.decisionId).toBe((await store.listDecisions())[0]!.id);
    expect(store.audit.map((entry) => entry.action)).toEqual(['decision-made', 'order-placed']);
    const portfolio = exchange.getPortfolio();
    expect(portfolio.cash + portfolio.positions[0]!.amount * price + order!.fee!.cost).toBeCloseTo(10_000, 6);
  });

  it("gives a predictor its own lookback of candles, longer than the team's, and a prediction goes into snapshots once the engine holds that many", async () => {
    // A forecaster that needs 30 candles and says how many it was given, and which was the last.
    const given: { count: number; last: number }[] = [];
    const predictor = {
      specificationVersion: 'v1' as const,
      id: 'counting',
      lookback: 30,
      predict: (seen: readonly Candle[]) => {
        given.push({ count: seen.length, last: seen.at(-1)!.timestamp });
        return { action: 'BUY' as const, confidence: 0.7, probabilities: { up: 0.6, down: 0.2, flat: 0.2 }, expectedReturn: 0.01, risk: 0.02, horizon: 1, modelId: 'counting' };
      },
    };
    const seen: { candles: number; prediction: string | undefined; last: number }[] = [];
    const watcher = defineAssistant({ id: 'watcher', analyze: (snapshot) => (seen.push({ candles: snapshot.candles.length, prediction: snapshot.prediction?.modelId, last: snapshot.candles.at(-1)!.timestamp }), { assistantId: 'watcher', action: 'HOLD', confidence: 0.5, reasoning: 'watching' }) });
    const engine = createTradingEngine({ exchange: new TestExchange({ cash: 10_000 }), feed: feedOf(candles.slice(0, 40)), assistants: [watcher], clock: new SimulatedClock(), trigger: everyNthCandle(5), lookback: 10, predictor, learning: false });
    await engine.run();
    // Convened at candles 5, 10, ..., 40: the team always sees its 10; the predictor is asked from the 30th on, with the last 30.
    expect(seen.map((entry) => entry.candles)).toEqual([5, 10, 10, 10, 10, 10, 10, 10]);
    expect(seen.map((entry) => entry.prediction)).toEqual([undefined, undefined, undefined, undefined, undefined, 'counting', 'counting', 'counting']);
    expect(given).toEqual([30, 35, 40].map((end) => ({ count: 30, last: candles[end - 1]!.timestamp })));
    expect(seen.map((entry) => entry.last)).toEqual([5, 10, 15, 20, 25, 30, 35, 40].map((end) => candles[end - 1]!.timestamp));
  });

  it('lets the risk gate refuse a BUY in drawdown and a SELL with nothing held, whatever the assistants say', async () => {
    const crash = buildCandles({ closes: [100, 100, 60, 59, 58, 57] });
    const rejections: string[] = [];
    const bus = createEventBus();
    bus.on('risk-reject', ({ reason }) => rejections.push(reason));
    const exchange = new TestExchange({ cash: 1000 });
    const turns = [{ action: 'BUY' as const, confidence: 1 }];
    const engine = createTradingEngine({ exchange, bus, feed: feedOf(crash), assistants: [createScriptedAssistant({ id: 'bull', turns })], clock: new SimulatedClock(), trigger: everyNthCandle(1), riskLimits: { maxPositionFraction: 1, maxDrawdownFraction: 0.2, minConfidence: 0 } });
    await engine.run();
    expect(exchange.orders.size).toBe(1);
    expect(rejections.some((reason) => /drawdown 4\d\.\d\d% reached the limit 20\.00%/.test(reason))).toBe(true);
    const sellOnly = createTradingEngine({ exchange: new TestExchange(), feed: feedOf(crash), assistants: [createScriptedAssistant({ id: 'bear', turns: [{ action: 'SELL', confidence: 1 }] })], clock: new SimulatedClock(), trigger: everyNthCandle(3) });
    const results = await Promise.all([sellOnly.run()]);
    expect(results[0]).toMatchObject({ decisions: 2, orders: 0 });
  });

  it('keeps a live venue\'s drawdown stop through a restart: the peak equity comes back from the store', async () => {
    const [first, second, crash] = buildCandles({ closes: [100, 100, 60] });
    const inner = new TestExchange({ cash: 1_000 });
    inner.onCandle('BTC/USDT', first!);
    const store = new MemoryStore();
    const limits = { maxPositionFraction: 0.5, maxDrawdownFraction: 0.1, minConfidence: 0 };
    const bull = () => createScriptedAssistant({ id: 'bull', turns: [{ action: 'BUY', confidence: 1 }] });
    // Half in at 100: equity 1,000 is the peak.
    const before = createTradingEngine({ exchange: live(inner), store, feed: feedOf([first!, second!]), assistants: [bull()], clock: new SimulatedClock(second!.timestamp), trigger: everyNthCandle(2), riskLimits: limits, learning: false });
    expect(await before.run()).toMatchObject({ orders: 1 });
    // The price falls to 60 while no engine runs: equity 800, 20 % under the peak.
    inner.onCandle('BTC/USDT', crash!);
    const rejections: string[] = [];
    const after = createTradingEngine({ exchange: live(inner), store, feed: feedOf([crash!]), assistants: [bull()], clock: new SimulatedClock(crash!.timestamp), trigger: everyNthCandle(1), riskLimits: limits, learning: false });
    after.bus.on('risk-reject', ({ reason }) => void rejections.push(reason));
    expect(await after.run()).toMatchObject({ decisions: 1, orders: 0 });
    expect(rejections).toEqual([expect.stringMatching(/drawdown 2\d\.\d\d% reached the limit 10\.00%/)]);
    // The references are in the audit log, by venue.
    expect(store.audit.filter((entry) => entry.action === 'risk-marks').at(-1)).toMatchObject({ actor: 'risk-gate', data: { venue: 'live-test', peakEquity: expect.closeTo(1_000, 0) } });
    // A decision asked for on demand, before any run, is held to them too.
    const withCandles = new TestExchange({ candles: { 'BTC/USDT': [first!, second!, crash!] } });
    const onDemand = createTradingEngine({ exchange: { ...live(inner), fetchOHLCV: (symbol, timeframe, since, limit) => withCandles.fetchOHLCV(symbol, timeframe, since, limit) }, store, assistants: [bull()], clock: new SimulatedClock(crash!.timestamp + 3_600_000), riskLimits: limits, learning: false, lookback: 2 });
    expect(await onDemand.decide('BTC/USDT')).toMatchObject({ rejection: expect.stringMatching(/drawdown 2\d\.\d\d% reached the limit 10\.00%/) });
    // With no candle to decide on, a clear error rather than a crash.
    const empty = createTradingEngine({ exchange: live(new TestExchange()), assistants: [bull()], learning: false });
    await expect(empty.decide('BTC/USDT')).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID', message: expect.stringContaining('No closed 1h candle of BTC/USDT') });
  });

  it('decides on demand from the latest closed candles: a full lookback, the forming one left out, the just-closed one kept with a clock a little behind the exchange', async () => {
    const hourly = buildCandles({ count: 12, timeframe: '1h', seed: 3 });
    // The exchange has begun candle 11; this clock is one second before candle 10 closes.
    const inner = new TestExchange({ candles: { 'BTC/USDT': hourly } });
    const seen: number[][] = [];
    const watcher = defineAssistant({ id: 'watcher', analyze: (snapshot) => (seen.push(snapshot.candles.map((candle) => candle.timestamp)), { assistantId: 'watcher', action: 'HOLD', confidence: 0.5, reasoning: 'looking' }) });
    const engine = createTradingEngine({ exchange: live(inner), assistants: [watcher], clock: new SimulatedClock(hourly[11]!.timestamp - 1_000), lookback: 5, learning: false });
    await engine.decide('BTC/USDT');
    expect(seen).toEqual([[6, 7, 8, 9, 10].map((index) => hourly[index]!.timestamp)]);
  });

  it('records, after a restart, the fills of an order the earlier process placed and stopped before recording', async () => {
    const [first, second] = buildCandles({ closes: [100, 100] });
    const inner = new TestExchange({ cash: 1_000 });
    inner.onCandle('BTC/USDT', first!);
    const store = new MemoryStore();
    // The venue fills the buy; asking for its fills fails until the process stops.
    const unreachable = { ...live(inner), fetchFills: () => Promise.reject(new ExchangeError('EXCHANGE_NETWORK', 'unreachable')) };
    const bull = createScriptedAssistant({ id: 'bull', turns: [{ action: 'BUY', confidence: 1 }] });
    const before = createTradingEngine({ exchange: unreachable, store, feed: feedOf([second!]), assistants: [bull], clock: new SimulatedClock(second!.timestamp), trigger: everyNthCandle(1), riskLimits: { maxPositionFraction: 0.5, minConfidence: 0 }, learning: false });
    expect(await before.run()).toMatchObject({ orders: 1, fills: 0 });
    expect([...store.orders.values()]).toEqual([expect.objectContaining({ status: 'filled' })]);
    expect(store.fills.size).toBe(0);
    const after = createTradingEngine({ exchange: live(inner), store, feed: feedOf([]), assistants: [bull], clock: new SimulatedClock(second!.timestamp + 1), learning: false });
    expect(await after.run()).toMatchObject({ fills: 1 });
    expect([...store.fills.values()]).toEqual([expect.objectContaining({ clientOrderId: [...store.orders.keys()][0], side: 'buy' })]);
    // A second restart finds nothing missing.
    const again = createTradingEngine({ exchange: live(inner), store, feed: feedOf([]), assistants: [bull], clock: new SimulatedClock(second!.timestamp + 2), learning: false });
    expect(await again.run()).toMatchObject({ fills: 0 });
    expect(store.fills.size).toBe(1);
  });

  it('records, after a restart, the orders the venue took that the earlier process never recorded, with their fills, and leaves other trades on the account alone', async () => {
    const [first, second, third] = buildCandles({ closes: [100, 100, 102] });
    const inner = new TestExchange({ cash: 1_000 });
    inner.onCandle('BTC/USDT', first!);
    const store = new MemoryStore();
    const bull = createScriptedAssistant({ id: 'bull', turns: [{ action: 'BUY', confidence: 1 }] });
    await createTradingEngine({ exchange: live(inner), store, feed: feedOf([second!]), assistants: [bull], clock: new SimulatedClock(second!.timestamp), trigger: everyNthCandle(1), riskLimits: { maxPositionFraction: 0.3, minConfidence: 0 }, learning: false }).run();
    expect(store.orders.size).toBe(1);
    // The venue takes three more orders the store never hears of: two the engine names (the process
    // stopped before recording them) and one placed on the account by something else.
    inner.onCandle('BTC/USDT', third!);
    await inner.createOrder({ clientOrderId: 'man-lost', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    await inner.createOrder({ clientOrderId: 'dec-lost-o-sl', symbol: 'BTC/USDT', side: 'sell', type: 'stop-loss', amount: 1, stopPrice: 90 });
    await inner.createOrder({ clientOrderId: 'web_7f3a', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.5 });
    // And a limit buy the venue still holds open, a third filled (the test exchange fills no limit orders: added by hand).
    const part: Order = { id: 'venue-9', clientOrderId: 'dec-part-o', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 3, filled: 1, remaining: 2, price: 101, status: 'partially-filled', createdAt: third!.timestamp, updatedAt: third!.timestamp };
    const partFill = { id: 'venue-fill-9', orderId: 'venue-9', clientOrderId: 'dec-part-o', symbol: 'BTC/USDT', side: 'buy' as const, price: 101, amount: 1, fee: { cost: 0.1, currency: 'USDT' }, liquidity: 'maker' as const, timestamp: third!.timestamp };
    const venue: Exchange = {
      ...live(inner),
      fetchOpenOrders: async (symbol) => [...(await inner.fetchOpenOrders(symbol)), part],
      fetchOrderByClientId: async (id) => (id === part.clientOrderId ? part : inner.fetchOrderByClientId(id)),
      fetchFills: async (symbol, since) => [...(await inner.fetchFills(symbol, since)), partFill].filter((fill) => fill.timestamp >= (since ?? 0)),
    };
    const after = createTradingEngine({ exchange: venue, store, feed: feedOf([]), assistants: [bull], clock: new SimulatedClock(third!.timestamp + 1), learning: false });
    const fills: string[] = [];
    after.bus.on('order-fill', ({ fill }) => void fills.push(fill.clientOrderId));
    expect(await after.run()).toMatchObject({ fills: 2 });
    expect(fills.sort()).toEqual(['dec-part-o', 'man-lost']);
    expect(Object.fromEntries([...store.orders.values()].map((order) => [order.clientOrderId, order.status]))).toEqual({ [[...store.orders.keys()][0]!]: 'filled', 'man-lost': 'filled', 'dec-lost-o-sl': 'open', 'dec-part-o': 'partially-filled' });
    expect([...store.fills.values()].map((fill) => `${fill.clientOrderId} ${fill.amount} @ ${fill.price}`).slice(1).sort()).toEqual(['dec-part-o 1 @ 101', 'man-lost 1 @ 102']);
    expect((await store.listAudit()).filter((entry) => entry.action === 'order-recorded-late').map((entry) => entry.subject).sort()).toEqual(['dec-lost-o-sl', 'dec-part-o', 'man-lost']);
    // A second restart finds nothing missing.
    const again = createTradingEngine({ exchange: venue, store, feed: feedOf([]), assistants: [bull], clock: new SimulatedClock(third!.timestamp + 2), learning: false });
    expect(await again.run()).toMatchObject({ fills: 0 });
    expect(store.fills.size).toBe(3);
  });

  it('records, after a restart, a manual order with a client order id the user chose, which the venue took and the earlier process never recorded; a request that never reached the venue records nothing', async () => {
    const [first, second, third] = buildCandles({ closes: [100, 100, 102] });
    const inner = new TestExchange({ cash: 10_000 });
    inner.onCandle('BTC/USDT', first!);
    const store = new MemoryStore();
    const hold = createScriptedAssistant({ id: 'hold', turns: [{ action: 'HOLD', confidence: 1 }] });
    const before = createTradingEngine({ exchange: live(inner), store, feed: feedOf([second!]), assistants: [hold], clock: new SimulatedClock(second!.timestamp), trigger: everyNthCandle(1), riskLimits: { minConfidence: 0 }, learning: false });
    await before.run();
    // The venue's time is the engine's (the close of the candle it decided on).
    inner.onCandle('BTC/USDT', third!);
    // The process dies between the venue taking the order and the store recording it.
    const saveOrder = store.saveOrder.bind(store);
    store.saveOrder = async () => {
      throw new Error('process killed');
    };
    await expect(before.placeManualOrder({ clientOrderId: 'hedge-dec-07', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 }, 'alice')).rejects.toThrow('process killed');
    store.saveOrder = saveOrder;
    // A second request whose send failed: the venue never saw it.
    const down: Exchange = { ...live(inner), createOrder: () => Promise.reject(new ExchangeError('EXCHANGE_UNAVAILABLE', 'venue down')) };
    const failing = createTradingEngine({ exchange: down, store, feed: feedOf([]), assistants: [hold], clock: new SimulatedClock(third!.timestamp), learning: false });
    await expect(failing.placeManualOrder({ clientOrderId: 'never-sent', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 }, 'alice')).rejects.toThrow('venue down');
    // And a trade on the account that is not this engine's.
    await inner.createOrder({ clientOrderId: 'web_7f3a', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.5 });
    expect(store.orders.size).toBe(0);
    const after = createTradingEngine({ exchange: live(inner), store, feed: feedOf([]), assistants: [hold], clock: new SimulatedClock(third!.timestamp + 1), learning: false });
    const fills: string[] = [];
    after.bus.on('order-fill', ({ fill }) => void fills.push(`${fill.clientOrderId} ${fill.amount} @ ${fill.price}`));
    expect(await after.run()).toMatchObject({ fills: 1 });
    expect(fills).toEqual(['hedge-dec-07 1 @ 102']);
    expect([...store.orders.values()].map((order) => `${order.clientOrderId} ${order.status}`)).toEqual(['hedge-dec-07 filled']);
    expect((await store.listAudit()).filter((entry) => entry.action === 'order-recorded-late').map((entry) => entry.subject)).toEqual(['hedge-dec-07']);
    // A second restart finds nothing missing.
    const again = createTradingEngine({ exchange: live(inner), store, feed: feedOf([]), assistants: [hold], clock: new SimulatedClock(third!.timestamp + 2), learning: false });
    expect(await again.run()).toMatchObject({ fills: 0 });
    expect(store.fills.size).toBe(1);
  });

  it('places nothing on a veto and keeps an escalation pending until a person decides', async () => {
    const exchange = new TestExchange();
    const store = new MemoryStore();
    const team = [createScriptedAssistant({ id: 'a', turns: [{ action: 'BUY' }] }), createScriptedAssistant({ id: 'b', turns: [{ action: 'SELL' }] })];
    const engine = createTradingEngine({ exchange, store, feed: feedOf(candles.slice(0, 10)), assistants: team, clock: new SimulatedClock(), trigger: everyNthCandle(10), consensus: { maxRounds: 2, threshold: 0.75, weights: { a: 2 } }, riskLimits: { minConfidence: 0.1 } });
    await engine.run();
    const [pending] = engine.pendingEscalations;
    expect(pending).toMatchObject({ escalated: true, action: 'HOLD', proposedAction: 'BUY' });
    expect(exchange.orders.size).toBe(0);
    const approved = await engine.resolveEscalation(pending!.id, { approved: true, by: 'user-1' });
    expect(approved.order).toMatchObject({ side: 'buy', status: 'filled', clientOrderId: `${pending!.id}-a` });
    expect(engine.pendingEscalations).toHaveLength(0);
    await expect(engine.resolveEscalation(pending!.id, { approved: true, by: 'user-1' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already approved by user-1/) });
    expect(store.audit.map((entry) => entry.action)).toContain('escalation-approved');

    const vetoed = createTradingEngine({ exchange: new TestExchange(), feed: feedOf(candles.slice(0, 10)), assistants: [createScriptedAssistant({ id: 'a', turns: [{ action: 'BUY' }] }), createScriptedAssistant({ id: 'risk', turns: [{ action: 'BUY', veto: 'volatility too high' }] })], clock: new SimulatedClock(), trigger: everyNthCandle(10), consensus: { vetoes: ['risk'] } });
    expect(await vetoed.run()).toMatchObject({ decisions: 1, vetoes: 1, orders: 0 });
  });

  it('measures outcomes, updates reliability and tells the assistants', async () => {
    const rising = buildCandles({ closes: Array.from({ length: 40 }, (_, i) => 100 * 1.01 ** i) });
    const learned: TradeOutcome[] = [];
    const bull: Assistant = defineAssistant({ id: 'bull', analyze: () => ({ assistantId: 'bull', action: 'BUY', confidence: 0.9, reasoning: 'up' }), learnFromOutcome: (outcome) => void learned.push(outcome) });
    const bear = createScriptedAssistant({ id: 'bear', turns: [{ action: 'SELL', confidence: 0.6 }] });
    const store = new MemoryStore();
    const engine = createTradingEngine({ exchange: new TestExchange(), store, feed: feedOf(rising), assistants: [bull, bear], clock: new SimulatedClock(), trigger: everyNthCandle(5), outcomeHorizon: 5, consensus: { maxRounds: 1 } });
    await engine.run();
    expect(learned.length).toBeGreaterThanOrEqual(6);
    expect(learned.every((outcome) => outcome.bestAction === 'BUY' && outcome.priceReturn > 0.04)).toBe(true);
    expect(engine.reliability.reliability('bull')).toBeGreaterThan(0.8);
    expect(engine.reliability.reliability('bear')).toBeLessThan(0.2);
    expect((await store.listAssistantRecords()).find((r) => r.assistantId === 'bull')).toMatchObject({ correct: learned.length, outcomes: learned.length });
    const restarted = createTradingEngine({ exchange: new TestExchange(), store, assistants: [bull, bear] });
    await restarted.restore();
    expect(restarted.reliability.reliability('bull')).toBeCloseTo(engine.reliability.reliability('bull'), 6);
  });

  it('after a restart, scores the decisions the earlier process made and did not live to score, on the right candle, or not at all', async () => {
    const rising = buildCandles({ closes: Array.from({ length: 40 }, (_, i) => 100 * 1.01 ** i) });
    const team = () => [defineAssistant({ id: 'bull', analyze: () => ({ assistantId: 'bull', action: 'BUY', confidence: 0.9, reasoning: 'up' }) })];
    const options = { assistants: team(), trigger: everyNthCandle(5), outcomeHorizon: 5, consensus: { maxRounds: 1 } };
    const first = async (store: MemoryStore) => {
      await createTradingEngine({ ...options, exchange: new TestExchange(), store, feed: feedOf(rising.slice(0, 22)), clock: new SimulatedClock(rising[0]!.timestamp) }).run();
      // Decisions on candles 4, 9, 14 and 19; the one on 19 was due on candle 24.
      expect(store.outcomes.map((outcome) => outcome.exitPrice)).toEqual([9, 14, 19].map((index) => rising[index]!.close));
      return [...store.decisions.values()].at(-1)!;
    };
    const store = new MemoryStore();
    const unscored = await first(store);
    await createTradingEngine({ ...options, exchange: new TestExchange(), store, feed: feedOf(rising.slice(22)), clock: new SimulatedClock(rising[22]!.timestamp) }).run();
    expect(store.outcomes.filter((outcome) => outcome.decisionId === unscored.id)).toEqual([expect.objectContaining({ entryPrice: rising[19]!.close, exitPrice: rising[24]!.close, bestAction: 'BUY' })]);
    expect(new Set(store.outcomes.map((outcome) => outcome.decisionId)).size).toBe(store.outcomes.length);
    // A restart whose candles begin after the one it was due on: never scored at a later price.
    const late = new MemoryStore();
    const missed = await first(late);
    await createTradingEngine({ ...options, exchange: new TestExchange(), store: late, feed: feedOf(rising.slice(30)), clock: new SimulatedClock(rising[30]!.timestamp) }).run();
    expect(late.outcomes.filter((outcome) => outcome.decisionId === missed.id)).toEqual([]);
    // A run over the same candles from the same start makes the same decisions again: the one left
    // unscored is resumed and made again, and scored once.
    const rerun = new MemoryStore();
    const pending = await first(rerun);
    await createTradingEngine({ ...options, assistants: team(), exchange: new TestExchange(), store: rerun, feed: feedOf(rising), clock: new SimulatedClock(rising[0]!.timestamp) }).run();
    expect(rerun.outcomes.filter((outcome) => outcome.decisionId === pending.id)).toHaveLength(1);
  });

  it('processes a batch of candles synchronously when the team and the exchange have nothing to wait for', async () => {
    const exchange = new TestExchange({ cash: 10_000 });
    let decided = 0;
    const rule = defineAssistant({ id: 'rule', analyze: (snapshot) => (decided += 1, { assistantId: 'rule', action: snapshot.candles.length % 2 === 0 ? 'BUY' : 'SELL', confidence: 0.9, reasoning: 'parity' }) });
    const engine = createTradingEngine({ exchange, assistants: [rule], clock: new SimulatedClock(), trigger: everyNthCandle(5), lookback: 20, learning: false, riskLimits: { maxPositionFraction: 0.5 } });
    const pending = engine.handle({ type: 'candles', symbol: 'BTC/USDT', timeframe: '1h', candles: candles.slice(0, 40) });
    // Before the promise is awaited, every decision and order of the batch has happened.
    expect(decided).toBe(8);
    expect(engine.summary).toMatchObject({ candles: 40, decisions: 8 });
    expect(engine.summary.orders).toBeGreaterThan(0);
    expect(exchange.orders.size).toBe(engine.summary.orders);
    await pending;
  });

  it('takes the events a feed has at hand without a promise between them, and stops when aborted', async () => {
    const rule = defineAssistant({ id: 'rule', analyze: () => ({ assistantId: 'rule', action: 'HOLD', confidence: 0.9, reasoning: 'watch' }) });
    const controller = new AbortController();
    const handed: number[] = [];
    const feed: MarketFeed = {
      specificationVersion: 'v1',
      symbols: ['BTC/USDT'],
      timeframe: '1h',
      events: () => {
        throw new Error('events() must not be used when eventsNow() is offered');
      },
      *eventsNow() {
        for (const [index, candle] of candles.slice(0, 30).entries()) {
          handed.push(index);
          if (index === 20) controller.abort();
          yield { type: 'candles' as const, symbol: 'BTC/USDT', timeframe: '1h' as const, candles: [candle] };
        }
      },
    };
    const engine = createTradingEngine({ exchange: new TestExchange(), feed, assistants: [rule], clock: new SimulatedClock(), trigger: everyNthCandle(5), learning: false });
    const summary = await engine.run({ signal: controller.signal });
    // Candle 20 was handed over as the abort came: the engine took candles 0-19 and stopped there.
    expect(summary).toMatchObject({ candles: 20, decisions: 4 });
    expect(handed.at(-1)).toBe(20);
  });

  it('learns from warm-up history without acting on it: no decision on a candle from before the feed started', async () => {
    const seen: number[] = [];
    const rule = defineAssistant({ id: 'rule', analyze: (snapshot) => (seen.push(snapshot.candles.length), { assistantId: 'rule', action: 'BUY', confidence: 0.9, reasoning: 'always' }) });
    const exchange = new TestExchange({ cash: 10_000 });
    const engine = createTradingEngine({ exchange, assistants: [rule], clock: new SimulatedClock(), trigger: everyNthCandle(5), lookback: 50, learning: false });
    await engine.handle({ type: 'candles', symbol: 'BTC/USDT', timeframe: '1h', candles: candles.slice(0, 12), warmup: true });
    expect(engine.summary).toMatchObject({ candles: 12, decisions: 0, orders: 0 });
    await engine.handle({ type: 'candles', symbol: 'BTC/USDT', timeframe: '1h', candles: candles.slice(12, 20) });
    // The trigger counted the warm-up candles (fires on the 15th and 20th), and the team saw them.
    expect(engine.summary).toMatchObject({ candles: 20, decisions: 2 });
    expect(seen).toEqual([15, 20]);
  });

  it('gives identical decisions when run twice', async () => {
    const run = async () => {
      const store = new MemoryStore();
      const team = [createScriptedAssistant({ id: 'a', turns: [{ action: 'BUY' }, { action: 'SELL' }] }), createScriptedAssistant({ id: 'b', turns: [{ action: 'SELL' }] })];
      await createTradingEngine({ exchange: new TestExchange(), store, feed: feedOf(), assistants: team, clock: new SimulatedClock(), trigger: everyNthCandle(7), consensus: { threshold: 0.9 } }).run();
      return JSON.stringify({ decisions: await store.listDecisions({ limit: 100 }), orders: await store.listOrders({ limit: 100 }), audit: store.audit });
    };
    expect(await run()).toBe(await run());
  });

  it('refuses a manual order over a limit with the limit named', async () => {
    const exchange = new TestExchange({ cash: 1000 });
    const engine = createTradingEngine({ exchange, feed: feedOf(candles.slice(0, 3)), assistants: [createScriptedAssistant({ id: 'a', turns: [{ action: 'HOLD' }] })], clock: new SimulatedClock(), riskLimits: { maxPositionFraction: 0.1 } });
    await engine.run();
    const price = candles[2]!.close;
    await expect(engine.placeManualOrder({ clientOrderId: 'm-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 500 / price }, 'user-1')).rejects.toMatchObject({ code: 'RISK_LIMIT_EXCEEDED', details: { limit: 'maxPositionFraction' } });
    const order = await engine.placeManualOrder({ clientOrderId: 'm-2', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 50 / price }, 'user-1');
    expect(order.status).toBe('filled');
    await expect(engine.placeManualOrder({ clientOrderId: 'm-3', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 1 }, 'user-1')).rejects.toThrow(/only .* held \(no short selling\)/);
  });

  it('rejects bad options naming the field', () => {
    const base = { exchange: new TestExchange(), assistants: [createScriptedAssistant({ id: 'a', turns: [{ action: 'HOLD' }] })] };
    expect(() => createTradingEngine({ ...base, lookback: 0 })).toThrow(/engine options: lookback/);
    expect(() => createTradingEngine({ ...base, riskLimits: { maxPositionFraction: 2 } })).toThrow(/risk limits: riskLimits\.maxPositionFraction/);
    expect(() => createTradingEngine({ ...base, consensus: { quorum: 0 } })).toThrow(/consensus options: quorum/);
  });
});

describe('TradingEngine protective orders', () => {
  const planned = (plan: { stopLoss?: number; takeProfit?: number }) => {
    let calls = 0;
    return defineAssistant({ id: 'planner', analyze: (snapshot) => ({ assistantId: 'planner', action: calls++ === 0 ? 'BUY' : 'HOLD', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.2, ...plan, entry: snapshot.candles.at(-1)!.close } }) });
  };

  it('places the plan\'s stop-loss and take-profit after the entry fills, and cancels the other leg when one triggers', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 103, 108, 104] });
    const exchange = new TestExchange({ cash: 10_000 });
    const store = new MemoryStore();
    const engine = createTradingEngine({ exchange, store, feed: feedOf(series), assistants: [planned({ stopLoss: 95, takeProfit: 106 })], clock: new SimulatedClock(), trigger: everyNthCandle(2), learning: false });
    await engine.run();
    const orders = [...exchange.orders.values()];
    const entry = orders.find((o) => o.type === 'market')!;
    const stop = orders.find((o) => o.type === 'stop-loss')!;
    const target = orders.find((o) => o.type === 'take-profit')!;
    expect(stop).toMatchObject({ clientOrderId: `${entry.clientOrderId}-sl`, stopPrice: 95, amount: entry.filled });
    expect(target).toMatchObject({ clientOrderId: `${entry.clientOrderId}-tp`, status: 'filled', averagePrice: 106 });
    expect(stop.status).toBe('cancelled');
    expect(exchange.getPortfolio().positions).toHaveLength(0);
    expect(store.audit.map((e) => e.action)).toContain('order-cancelled');
  });

  it('sends the two legs as one-cancels-the-other where the exchange has it, and the stop-loss alone when the pair is refused', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 103, 104, 104] });
    const pairs: unknown[] = [];
    class PairingExchange extends TestExchange {
      refuse = false;
      placeOcoOrder(request: OcoRequest): [Order, Order] {
        pairs.push(request);
        if (this.refuse) throw new ExchangeError('INVALID_ORDER', 'no pairs today');
        return [this.placeOrder({ clientOrderId: request.stopLoss.clientOrderId, symbol: request.symbol, side: 'sell', type: 'stop-loss', amount: request.amount, stopPrice: request.stopLoss.stopPrice }), this.placeOrder({ clientOrderId: request.takeProfit.clientOrderId, symbol: request.symbol, side: 'sell', type: 'take-profit', amount: request.amount, stopPrice: request.takeProfit.stopPrice })];
      }
    }
    const paired = new PairingExchange({ cash: 10_000 });
    await createTradingEngine({ exchange: paired, feed: feedOf(series), assistants: [planned({ stopLoss: 95, takeProfit: 110 })], clock: new SimulatedClock(), trigger: everyNthCandle(2), learning: false }).run();
    const entry = [...paired.orders.values()].find((o) => o.type === 'market')!;
    expect(pairs).toEqual([{ symbol: 'BTC/USDT', amount: entry.filled, stopLoss: { clientOrderId: `${entry.clientOrderId}-sl`, stopPrice: 95 }, takeProfit: { clientOrderId: `${entry.clientOrderId}-tp`, stopPrice: 110 }, decisionId: entry.decisionId }]);
    expect([...paired.orders.values()].map((o) => o.type)).toEqual(['market', 'stop-loss', 'take-profit']);

    const refusing = new PairingExchange({ cash: 10_000 });
    refusing.refuse = true;
    const rejections: string[] = [];
    const bus = createEventBus();
    bus.on('order-reject', ({ clientOrderId, reason }) => rejections.push(`${clientOrderId}: ${reason}`));
    await createTradingEngine({ exchange: refusing, bus, feed: feedOf(series), assistants: [planned({ stopLoss: 95, takeProfit: 110 })], clock: new SimulatedClock(), trigger: everyNthCandle(2), learning: false }).run();
    const refusedEntry = [...refusing.orders.values()].find((o) => o.type === 'market')!;
    expect([...refusing.orders.values()].map((o) => [o.type, o.status])).toEqual([['market', 'filled'], ['stop-loss', 'open']]);
    expect(rejections).toEqual([`${refusedEntry.clientOrderId}-tp: no pairs today`]);
  });

  it('protects what the entry brought in: a fee charged in the base asset is not sold again', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 103, 104, 104] });
    const pairs: OcoRequest[] = [];
    class BaseFeeExchange extends TestExchange {
      override placeOrder(request: Parameters<TestExchange['placeOrder']>[0]): Order {
        const order = super.placeOrder(request);
        if (request.type !== 'market' || request.side !== 'buy') return order;
        // As Binance spot charges a buy: 0.1 % of the coins bought.
        const fee = { cost: order.filled * 0.001, currency: 'BTC' };
        this.orders.get(order.clientOrderId)!.fee = fee;
        return { ...order, fee };
      }
      placeOcoOrder(request: OcoRequest): [Order, Order] {
        pairs.push(request);
        throw new ExchangeError('INVALID_ORDER', 'recorded only');
      }
    }
    const exchange = new BaseFeeExchange({ cash: 10_000 });
    await createTradingEngine({ exchange, feed: feedOf(series), assistants: [planned({ stopLoss: 95, takeProfit: 110 })], clock: new SimulatedClock(), trigger: everyNthCandle(2), learning: false }).run();
    const entry = [...exchange.orders.values()].find((o) => o.type === 'market')!;
    expect(pairs[0]!.amount).toBeCloseTo(entry.filled * 0.999, 12);
    expect([...exchange.orders.values()].find((o) => o.type === 'stop-loss')!.amount).toBeCloseTo(entry.filled * 0.999, 12);
  });

  it('cancels open protection before the team sells the position', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102, 101, 100] });
    const exchange = new TestExchange({ cash: 10_000 });
    let calls = 0;
    const flipper = defineAssistant({ id: 'flipper', analyze: (snapshot) => ({ assistantId: 'flipper', action: (calls++ === 0 ? 'BUY' : 'SELL') as 'BUY' | 'SELL', confidence: 0.9, reasoning: 'flip', plan: { stopLoss: 80, takeProfit: 130, entry: snapshot.candles.at(-1)!.close } }) });
    await createTradingEngine({ exchange, feed: feedOf(series), assistants: [flipper], clock: new SimulatedClock(), trigger: everyNthCandle(3), learning: false }).run();
    const byType = Object.fromEntries([...exchange.orders.values()].map((o) => [`${o.type}-${o.side}-${o.status}`, o]));
    expect(Object.keys(byType).sort()).toEqual(['market-buy-filled', 'market-sell-filled', 'stop-loss-sell-cancelled', 'take-profit-sell-cancelled']);
    expect(exchange.getPortfolio().positions).toHaveLength(0);
  });
});

describe('risk limits', () => {
  it('parses its own output again (regression: a default of Infinity is not a zod number and not JSON)', async () => {
    const { riskLimitsSchema } = await import('../index.js');
    const limits = riskLimitsSchema.parse({});
    expect(riskLimitsSchema.parse(JSON.parse(JSON.stringify(limits)))).toEqual(limits);
  });

  it('switches the drawdown stop off at 1 even when equity has all but vanished (regression: 1 - 1e-17 rounds to 1)', async () => {
    const { lossBreach, riskState } = await import('../index.js');
    const portfolio = { timestamp: 0, quoteCurrency: 'USDT', cash: 1e-12, equity: 1e-12, peakEquity: 100_000, dayStartEquity: 1e-12, balances: {}, positions: [] };
    const state = riskState(portfolio);
    expect(state.drawdown).toBe(1);
    const limits = { maxPositionFraction: 1, maxTotalExposure: 1, maxDailyLossFraction: 1, maxDrawdownFraction: 1, minConfidence: 0, maxOpenOrders: 10 };
    expect(lossBreach(state, limits)).toBeUndefined();
    expect(lossBreach(state, { ...limits, maxDrawdownFraction: 0.999 })).toMatchObject({ limit: 'maxDrawdownFraction' });
  });
});

describe('TradingEngine with a live exchange', () => {
  it('polls the fills of resting orders that the venue fills later, once each, and cancels the other leg', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 103, 108, 104, 103] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    let calls = 0;
    const planner = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: calls++ === 0 ? 'BUY' : 'HOLD', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.2, stopLoss: 95, takeProfit: 106 } }) });
    const store = new MemoryStore();
    const fills: string[] = [];
    const engine = createTradingEngine({ exchange: live(venue), store, feed: feedOf(series.slice(1), '1h', 1), assistants: [planner], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    engine.bus.on('order-fill', ({ fill, order }) => void fills.push(`${order?.type} ${fill.side} ${fill.price}`));
    await engine.run();
    expect(fills).toEqual(['market buy 100', 'take-profit sell 106']);
    const orders = await store.listOrders({ limit: 10 });
    expect(orders.find((order) => order.type === 'stop-loss')!.status).toBe('cancelled');
    expect(orders.find((order) => order.type === 'take-profit')!.status).toBe('filled');
    expect(store.fills.size).toBe(2);
  });

  it('asks for the fills of resting orders while it waits for the next candle: a stop-loss filled between candles is recorded and its take-profit cancelled within fillPollMs', async () => {
    const { series, venue, planner, stop, feed } = liveEntryWithExits();
    const store = new MemoryStore();
    const events: string[] = [];
    const engine = createTradingEngine({ exchange: live(venue), store, feed, assistants: [planner], clock: new SimulatedClock(series[2]!.timestamp + 3_600_000), trigger: everyNthCandle(2), learning: false, fillPollMs: 20, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    engine.bus.on('order-fill', ({ fill, order }) => void events.push(`fill ${order?.type} ${fill.side} ${fill.price}`));
    engine.bus.on('order-cancel', ({ order }) => void events.push(`cancel ${order.type}`));
    const running = engine.run({ signal: stop.signal });
    for (let attempt = 0; attempt < 100 && events.length < 1; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual(['fill market buy 100']);
    // The market falls through the stop-loss while the next candle of the engine is still forming.
    venue.onCandle('BTC/USDT', { ...series[2]!, timestamp: series[2]!.timestamp + 3_600_000, open: 101, high: 101, low: 90, close: 92 });
    for (let attempt = 0; attempt < 100 && events.length < 3; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual(['fill market buy 100', 'fill stop-loss sell 95', 'cancel take-profit']);
    expect((await store.listOrders({ limit: 10 })).map((order) => `${order.type} ${order.status}`).sort()).toEqual(['market filled', 'stop-loss filled', 'take-profit cancelled']);
    stop.abort();
    await running;
  });
  it('follows the venue order updates: polls at once for an update of its own order (that order only), not for another order; a stream that fails is reported, followed again when the failure may pass, and trading goes on', async () => {
    const { series, venue, planner, stop, feed } = liveEntryWithExits();
    const { exchange, push, calls } = withUpdateStream(venue);
    const events: string[] = [];
    const engine = createTradingEngine({ exchange, feed, assistants: [planner], clock: new SimulatedClock(series[2]!.timestamp + 3_600_000), trigger: everyNthCandle(2), learning: false, fillPollMs: 0, orderUpdatesRetryMs: 20, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    engine.bus.on('order-fill', ({ fill, order }) => void events.push(`fill ${order?.type} ${fill.side} ${fill.price}`));
    engine.bus.on('order-cancel', ({ order }) => void events.push(`cancel ${order.type}`));
    engine.bus.on('engine-error', ({ error, stage }) => void events.push(`error ${stage} ${error.message}`));
    const running = engine.run({ signal: stop.signal });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
    // The entry fills, and the asking for fills around it (the poll after the candle batch among them) is over.
    for (let attempt = 0; attempt < 100 && events.length < 1; attempt += 1) await settle();
    for (let quiet = 0, seen = -1; quiet < 5; quiet = seen === calls.polls ? quiet + 1 : 0) {
      seen = calls.polls;
      await settle();
    }
    expect(events).toEqual(['fill market buy 100']);
    const before = calls.polls;
    // Another order of the account changes: nothing to ask for.
    push({ clientOrderId: 'someone-else-1', symbol: 'BTC/USDT', status: 'filled', resumed: false });
    await settle();
    expect(calls.polls).toBe(before);
    // The market falls through the stop-loss; the venue says so.
    venue.onCandle('BTC/USDT', { ...series[2]!, timestamp: series[2]!.timestamp + 3_600_000, open: 101, high: 101, low: 90, close: 92 });
    const stopLoss = [...venue.orders.values()].find((order) => order.type === 'stop-loss')!;
    const looked = calls.lookups.length;
    push({ clientOrderId: stopLoss.clientOrderId, symbol: 'BTC/USDT', status: 'filled', resumed: false });
    for (let attempt = 0; attempt < 100 && events.length < 3; attempt += 1) await settle();
    expect(events).toEqual(['fill market buy 100', 'fill stop-loss sell 95', 'cancel take-profit']);
    expect(calls.polls).toBe(before + 1);
    // The poll asked for the stop-loss's state alone: the take-profit resting beside it was looked
    // up once, to cancel it, and not again for its state (each lookup costs the venue's request weight).
    const takeProfit = stopLoss.clientOrderId.replace(/-sl$/, '-tp');
    expect(calls.lookups.slice(looked).filter((id) => id === takeProfit)).toHaveLength(1);
    expect(calls.lookups.slice(looked)).toContain(stopLoss.clientOrderId);
    // The stream drops for longer than its own reconnections: reported, and followed again
    // orderUpdatesRetryMs later (updates were lost meanwhile: nothing left to poll for here).
    expect(calls.follows).toBe(1);
    push(new ExchangeError('EXCHANGE_NETWORK', 'watchOrders failed: network down'));
    for (let attempt = 0; attempt < 100 && calls.follows < 2; attempt += 1) await settle();
    expect([calls.follows, events.at(-1)]).toEqual([2, 'error order-updates watchOrders failed: network down']);
    // Refused keys will not pass: reported once, not followed again, and the run goes on.
    push(new ExchangeError('EXCHANGE_AUTH', 'watchOrders failed: key revoked'));
    for (let attempt = 0; attempt < 100 && events.length < 5; attempt += 1) await settle();
    await settle();
    expect([calls.follows, events.at(-1)]).toEqual([2, 'error order-updates watchOrders failed: key revoked']);
    stop.abort();
    await expect(running).resolves.toMatchObject({ fills: 2 });
  });

  it('records the fill an order update brings without asking the venue for fills; an update that says an order still rests asks for nothing', async () => {
    const { series, venue, planner, stop, feed } = liveEntryWithExits();
    const { exchange, push, calls } = withUpdateStream(venue);
    const events: string[] = [];
    const engine = createTradingEngine({ exchange, feed, assistants: [planner], clock: new SimulatedClock(series[2]!.timestamp + 3_600_000), trigger: everyNthCandle(2), learning: false, fillPollMs: 0, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    engine.bus.on('order-fill', ({ fill, order }) => void events.push(`fill ${order?.type} ${order?.status} ${fill.side} ${fill.price}`));
    engine.bus.on('order-cancel', ({ order }) => void events.push(`cancel ${order.type}`));
    const running = engine.run({ signal: stop.signal });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
    for (let attempt = 0; attempt < 100 && events.length < 1; attempt += 1) await settle();
    for (let quiet = 0, seen = -1; quiet < 5; quiet = seen === calls.polls + calls.lookups.length ? quiet + 1 : 0) {
      seen = calls.polls + calls.lookups.length;
      await settle();
    }
    const [polls, lookups] = [calls.polls, calls.lookups.length];
    const stopLoss = [...venue.orders.values()].find((order) => order.type === 'stop-loss')!;
    // The venue acknowledges an amendment of the resting stop-loss: nothing executed, nothing to ask.
    push({ clientOrderId: stopLoss.clientOrderId, symbol: 'BTC/USDT', status: 'open', resumed: false });
    await settle();
    expect([calls.polls, calls.lookups.length]).toEqual([polls, lookups]);
    // The market falls through the stop-loss; the update carries the trade (as Binance's executionReport does).
    venue.onCandle('BTC/USDT', { ...series[2]!, timestamp: series[2]!.timestamp + 3_600_000, open: 101, high: 101, low: 90, close: 92 });
    const fill = (await venue.fetchFills('BTC/USDT')).find((candidate) => candidate.clientOrderId === stopLoss.clientOrderId)!;
    push({ clientOrderId: stopLoss.clientOrderId, symbol: 'BTC/USDT', status: 'filled', fill, resumed: false });
    for (let attempt = 0; attempt < 100 && events.length < 3; attempt += 1) await settle();
    await settle();
    expect(events).toEqual(['fill market filled buy 100', 'fill stop-loss filled sell 95', 'cancel take-profit']);
    // The fill was not asked for; each order was read once: the stop-loss with its fill (its state
    // pass used that read), the take-profit to cancel it.
    expect(calls.polls).toBe(polls);
    expect(calls.lookups.slice(lookups).sort()).toEqual([stopLoss.clientOrderId, stopLoss.clientOrderId.replace(/-sl$/, '-tp')].sort());
    stop.abort();
    await expect(running).resolves.toMatchObject({ fills: 2 });
  });
});


describe('TradingEngine and orders whose placement is in doubt', () => {
  it('looks an order that ended in ORDER_STATE_UNKNOWN up after the batch: found, it is recorded with its fill and gets its protection', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102, 103] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    // The first send reaches the venue, but neither its answer nor the adapter's lookup comes back.
    let doubtful = 1;
    const exchange: Exchange = {
      ...live(venue),
      createOrder: async (request) => {
        const order = await venue.createOrder(request);
        if (doubtful-- > 0) throw new ExchangeError('ORDER_STATE_UNKNOWN', `createOrder ${request.clientOrderId}: the send failed and the order could not be looked up; not resending`);
        return order;
      },
    };
    let calls = 0;
    const planner = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: calls++ === 0 ? 'BUY' : 'HOLD', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.2, stopLoss: 95, takeProfit: 110 } }) });
    const store = new MemoryStore();
    const events: string[] = [];
    const engine = createTradingEngine({ exchange, store, feed: feedOf(series.slice(1), '1h', 1), assistants: [planner], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    engine.bus.on('order-reject', ({ clientOrderId }) => void events.push(`reject ${clientOrderId?.split('-').at(-1)}`));
    engine.bus.on('order-place', ({ order }) => void events.push(`place ${order.type} ${order.status}`));
    engine.bus.on('order-fill', ({ order, fill }) => void events.push(`fill ${order?.type} ${fill.side}`));
    await engine.run();
    expect(events).toEqual(['reject o', 'place market filled', 'fill market buy', 'place stop-loss open', 'place take-profit open']);
    expect((await store.listOrders()).map((order) => `${order.type} ${order.status}`).sort()).toEqual(['market filled', 'stop-loss open', 'take-profit open']);
    expect(store.fills.size).toBe(1);
    expect(store.audit.map((entry) => entry.action)).toContain('order-found');
    // Exactly one entry at the venue: the doubt was resolved, not answered with a second order.
    expect([...venue.orders.values()].filter((order) => order.type === 'market')).toHaveLength(1);
  });

  it('keeps a placed order placed when asking for its fills fails: protected at once, its fill recorded with the next batch', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    let failures = 1;
    const exchange: Exchange = {
      ...live(venue),
      fetchFills: async (symbol, since) => (failures-- > 0 ? Promise.reject(new ExchangeError('EXCHANGE_NETWORK', 'fetchMyTrades failed: socket hang up')) : venue.fetchFills(symbol, since)),
    };
    let calls = 0;
    const planner = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: calls++ === 0 ? 'BUY' : 'HOLD', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.2, stopLoss: 90, takeProfit: 120 } }) });
    const store = new MemoryStore();
    const events: string[] = [];
    const engine = createTradingEngine({ exchange, store, feed: feedOf(series.slice(1), '1h', 1), assistants: [planner], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false });
    engine.bus.on('order-reject', () => void events.push('reject'));
    engine.bus.on('order-place', ({ order }) => void events.push(`place ${order.type}`));
    engine.bus.on('order-fill', ({ order }) => void events.push(`fill ${order?.type}`));
    engine.bus.on('engine-error', ({ stage }) => void events.push(`error ${stage}`));
    const summary = await engine.run();
    expect(events).toEqual(['place market', 'error fill-fetch', 'place stop-loss', 'place take-profit', 'fill market']);
    expect(summary).toMatchObject({ orders: 3, fills: 1, rejections: 0 });
    expect(store.fills.size).toBe(1);
  });

  it('forgets an order the exchange says it never had: the rejection stands and nothing is recorded', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    const exchange: Exchange = { ...live(venue), createOrder: async (request) => Promise.reject(new ExchangeError('ORDER_STATE_UNKNOWN', `createOrder ${request.clientOrderId}: unknown`)) };
    const buyer = defineAssistant({ id: 'buyer', analyze: () => ({ assistantId: 'buyer', action: 'BUY', confidence: 0.9, reasoning: 'enter', plan: { sizeFraction: 0.2 } }) });
    const store = new MemoryStore();
    const summary = await createTradingEngine({ exchange, store, feed: feedOf(series.slice(1, 2), '1h', 1), assistants: [buyer], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false }).run();
    expect(summary).toMatchObject({ decisions: 1, orders: 0, rejections: 1 });
    expect(await store.listOrders()).toEqual([]);
    expect(store.audit.map((entry) => entry.action)).toContain('order-never-placed');
  });
});

describe('TradingEngine after a restart', () => {
  it('takes over the protection a previous process placed: a sell cancels it first (the exchange kept it, the engine had forgotten it)', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102, 101, 100, 99] });
    const exchange = new TestExchange({ cash: 10_000 });
    const buyer = defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: 'BUY', confidence: 0.9, reasoning: 'enter', plan: { sizeFraction: 0.5, stopLoss: 80, takeProfit: 130 } }) });
    await createTradingEngine({ exchange, feed: feedOf(series.slice(0, 3)), assistants: [buyer], clock: new SimulatedClock(), trigger: everyNthCandle(3), learning: false }).run();
    expect((await exchange.fetchOpenOrders()).map((order) => order.type).sort()).toEqual(['stop-loss', 'take-profit']);
    // A new process: a new engine on the same account.
    const seller = defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: 'SELL', confidence: 0.9, reasoning: 'exit' }) });
    const restarted = createTradingEngine({ exchange, feed: feedOf(series.slice(3)), assistants: [seller], clock: new SimulatedClock(series[3]!.timestamp), trigger: everyNthCandle(3), learning: false });
    const summary = await restarted.run();
    expect(summary.rejections).toBe(0);
    const byType = Object.fromEntries([...exchange.orders.values()].map((order) => [`${order.type}-${order.side}`, order.status]));
    expect(byType).toEqual({ 'market-buy': 'filled', 'stop-loss-sell': 'cancelled', 'take-profit-sell': 'cancelled', 'market-sell': 'filled' });
    expect(exchange.getPortfolio().positions).toHaveLength(0);
  });

  it('records what happened while no engine ran: a leg that filled gets its fill and final state stored, and its sibling is cancelled', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102, 101, 103, 102] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    const store = new MemoryStore();
    const planner = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: 'BUY', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.2, stopLoss: 95, takeProfit: 106 } }) });
    await createTradingEngine({ exchange: live(venue), store, feed: feedOf(series.slice(1, 2), '1h', 1), assistants: [planner], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) }).run();
    const takeProfitId = (await store.listOrders()).find((order) => order.type === 'take-profit')!.clientOrderId;
    // Down for a candle: the market reaches the take-profit; the venue fills it, nobody records it.
    venue.onCandle('BTC/USDT', { ...series[2]!, high: 108 });
    expect((await store.getOrder(takeProfitId))!.status).toBe('open');
    const holder = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: 'HOLD', confidence: 0.9, reasoning: 'wait' }) });
    const events: string[] = [];
    const restarted = createTradingEngine({ exchange: live(venue), store, feed: feedOf(series.slice(3), '1h', 1), assistants: [holder], clock: new SimulatedClock(series[3]!.timestamp), trigger: everyNthCandle(1), learning: false, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    restarted.bus.on('order-fill', ({ fill, order }) => void events.push(`fill ${order?.type} ${fill.price}`));
    restarted.bus.on('order-cancel', ({ order }) => void events.push(`cancel ${order.type}`));
    await restarted.run();
    expect(events).toEqual(['fill take-profit 106', 'cancel stop-loss']);
    expect((await store.listOrders()).map((order) => `${order.type} ${order.status}`).sort()).toEqual(['market filled', 'stop-loss cancelled', 'take-profit filled']);
    expect([...store.fills.values()].map((fill) => `${fill.side} ${fill.price}`)).toEqual(['buy 100', 'sell 106']);
    expect(await venue.fetchOpenOrders()).toEqual([]);
  });

  it('protects an entry that filled while no engine ran, as its decision planned, and only once', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    const store = new MemoryStore();
    // The engine that decided stored the decision and its entry as sent, then stopped before the fill came back.
    const decision = { id: 'dec-1-1-0000abcd', symbol: 'BTC/USDT', action: 'BUY' as const, confidence: 0.9, consensusReached: true, escalated: false, proposedAction: 'BUY' as const, votes: [], rounds: [], usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, price: 100, createdAt: 0, completedAt: 0, plan: { stopLoss: 95, takeProfit: 106 } };
    await store.saveDecision(decision);
    const entry = await venue.createOrder({ clientOrderId: `${decision.id}-o`, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2, decisionId: decision.id });
    await store.saveOrder({ ...entry, status: 'open', filled: 0, remaining: 2 });
    const holder = defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: 'HOLD', confidence: 0.9, reasoning: 'wait' }) });
    const restart = () => createTradingEngine({ exchange: live(venue), store, feed: feedOf(series.slice(1), '1h', 1), assistants: [holder], clock: new SimulatedClock(series[1]!.timestamp), trigger: everyNthCandle(1), learning: false });
    await restart().run();
    const legs = (await venue.fetchOpenOrders()).map((order) => `${order.clientOrderId.slice(decision.id.length)} ${order.type} ${order.amount} ${order.stopPrice}`).sort();
    expect(legs).toEqual(['-o-sl stop-loss 2 95', '-o-tp take-profit 2 106']);
    expect((await store.getOrder(entry.clientOrderId))!.status).toBe('filled');
    // Stopped again before the store learnt of the fill: the next restart finds the legs in place and places nothing more.
    await store.saveOrder({ ...entry, status: 'open', filled: 0, remaining: 2 });
    const again = restart();
    const placed: string[] = [];
    again.bus.on('order-place', ({ order }) => void placed.push(order.clientOrderId));
    await again.run();
    expect(placed).toEqual([]);
    expect(await venue.fetchOpenOrders()).toHaveLength(2);
    expect(venue.orders.size).toBe(3);
  });

  it('protects an entry a previous process left open once it fills, as its decision planned', async () => {
    const series = buildCandles({ closes: [100, 100, 101, 102, 103] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    const store = new MemoryStore();
    const decision = { id: 'dec-1-1-0000abcd', symbol: 'BTC/USDT', action: 'BUY' as const, confidence: 0.9, consensusReached: true, escalated: false, proposedAction: 'BUY' as const, votes: [], rounds: [], usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, price: 100, createdAt: 0, completedAt: 0, plan: { stopLoss: 90, takeProfit: 120 } };
    await store.saveDecision(decision);
    // An entry the engine placed before it stopped, still resting at the venue (the test exchange has
    // no resting buys: this one is held aside and goes to the venue, where it fills, on the second candle).
    const entryId = `${decision.id}-o`;
    const resting: Order = { id: 'resting-1', clientOrderId: entryId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 2, filled: 0, remaining: 2, status: 'open', price: 101.5, createdAt: 0, updatedAt: 0, decisionId: decision.id };
    await store.saveOrder(resting);
    let filled = false;
    const exchange: Exchange = {
      ...live(venue),
      fetchOpenOrders: async (symbol) => [...(filled ? [] : [resting]), ...(await venue.fetchOpenOrders(symbol))],
      fetchOrderByClientId: async (id) => (id === entryId && !filled ? resting : venue.fetchOrderByClientId(id)),
    };
    const holder = defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: 'HOLD', confidence: 0.9, reasoning: 'wait' }) });
    const onCandle = (symbol: string, candle: Candle) => {
      venue.onCandle(symbol, candle);
      if (candle.timestamp === series[2]!.timestamp) void venue.createOrder({ clientOrderId: entryId, symbol, side: 'buy', type: 'market', amount: 2, decisionId: decision.id }).then(() => (filled = true));
    };
    await createTradingEngine({ exchange, store, feed: feedOf(series.slice(1), '1h', 1), assistants: [holder], clock: new SimulatedClock(series[1]!.timestamp), trigger: everyNthCandle(1), learning: false, onCandle }).run();
    expect(filled).toBe(true);
    expect((await venue.fetchOpenOrders()).map((order) => `${order.type} ${order.amount} ${order.stopPrice}`).sort()).toEqual(['stop-loss 2 90', 'take-profit 2 120']);
  });

  it('never repeats the ids of an engine started earlier, and repeats its own from the same start (a rerun backtest)', async () => {
    const team = () => [defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: 'BUY', confidence: 0.9, reasoning: 'enter', plan: { sizeFraction: 0.1 } }) })];
    const decisionIds = async (start: number) => {
      const ids: string[] = [];
      const engine = createTradingEngine({ exchange: new TestExchange({ cash: 10_000 }), feed: feedOf(candles.slice(0, 9)), assistants: team(), clock: new SimulatedClock(start), trigger: everyNthCandle(3), learning: false });
      engine.bus.on('decision-make', ({ decision }) => void ids.push(decision.id));
      await engine.run();
      return ids;
    };
    const first = await decisionIds(candles[0]!.timestamp);
    expect(first).toHaveLength(3);
    expect(await decisionIds(candles[0]!.timestamp)).toEqual(first);
    const later = await decisionIds(candles[0]!.timestamp + 1);
    expect(later.filter((id) => first.includes(id))).toEqual([]);
    // Room for the protective legs' suffix within the exchanges' 36-character client order ids.
    for (const id of [...first, ...later]) expect(`${id}-o-sl`.length).toBeLessThanOrEqual(36);
  });

  it("records the fills of orders a previous process left resting on a live venue, and cancels the filled leg's sibling", async () => {
    const series = buildCandles({ closes: [100, 100, 101, 103, 108, 104, 103] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    const planner = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: 'BUY', confidence: 0.9, reasoning: 'enter with exits', plan: { sizeFraction: 0.2, stopLoss: 95, takeProfit: 106 } }) });
    const before = createTradingEngine({ exchange: live(venue), store: new MemoryStore(), feed: feedOf(series.slice(1, 2), '1h', 1), assistants: [planner], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    await before.run();
    expect((await venue.fetchOpenOrders()).map((order) => order.type).sort()).toEqual(['stop-loss', 'take-profit']);
    const holder = defineAssistant({ id: 'planner', analyze: () => ({ assistantId: 'planner', action: 'HOLD', confidence: 0.9, reasoning: 'wait' }) });
    const store = new MemoryStore();
    const fills: string[] = [];
    const after = createTradingEngine({ exchange: live(venue), store, feed: feedOf(series.slice(2), '1h', 1), assistants: [holder], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    after.bus.on('order-fill', ({ fill, order }) => void fills.push(`${order?.type} ${fill.side} ${fill.price}`));
    await after.run();
    expect(fills).toEqual(['take-profit sell 106']);
    expect([...venue.orders.values()].find((order) => order.type === 'stop-loss')!.status).toBe('cancelled');
    expect((await store.listOrders({ limit: 10 })).map((order) => `${order.type} ${order.status}`).sort()).toEqual(['stop-loss cancelled', 'take-profit filled']);
  });

  it('leaves other orders resting on the account alone after a restart: their fills are not recorded or announced as its own', async () => {
    const series = buildCandles({ closes: [100, 100, 100, 90, 90] });
    const venue = new TestExchange({ cash: 10_000 });
    venue.onCandle('BTC/USDT', series[0]!);
    // Someone trades the account by hand: a buy, and a stop-loss resting under it.
    await venue.createOrder({ clientOrderId: 'web_buy_1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    await venue.createOrder({ clientOrderId: 'web_stop_1', symbol: 'BTC/USDT', side: 'sell', type: 'stop-loss', amount: 1, stopPrice: 95 });
    const store = new MemoryStore();
    const holder = defineAssistant({ id: 'holder', analyze: () => ({ assistantId: 'holder', action: 'HOLD', confidence: 0.9, reasoning: 'wait' }) });
    const fills: string[] = [];
    const engine = createTradingEngine({ exchange: live(venue), store, feed: feedOf(series.slice(1), '1h', 1), assistants: [holder], clock: new SimulatedClock(), trigger: everyNthCandle(1), learning: false, onCandle: (symbol, candle) => void venue.onCandle(symbol, candle) });
    engine.bus.on('order-fill', ({ fill }) => void fills.push(fill.clientOrderId));
    expect(await engine.run()).toMatchObject({ fills: 0, errors: 0 });
    // The venue filled it; the engine neither recorded nor announced it.
    expect(venue.orders.get('web_stop_1')?.status).toBe('filled');
    expect(fills).toEqual([]);
    expect(store.orders.size).toBe(0);
    expect(store.fills.size).toBe(0);
  });
});

describe('TradingEngine settings and answers', () => {
  it('lets only one of two simultaneous answers to an escalation execute', async () => {
    const store = new MemoryStore();
    const team = [createScriptedAssistant({ id: 'a', turns: [{ action: 'BUY' }] }), createScriptedAssistant({ id: 'b', turns: [{ action: 'SELL' }] })];
    const engine = createTradingEngine({ exchange: new TestExchange(), store, feed: feedOf(candles.slice(0, 10)), assistants: team, clock: new SimulatedClock(), trigger: everyNthCandle(10), consensus: { maxRounds: 1, threshold: 0.9, weights: { a: 2 } } });
    await engine.run();
    const [pending] = engine.pendingEscalations;
    const answers = await Promise.allSettled([engine.resolveEscalation(pending!.id, { approved: true, by: 'u1' }), engine.resolveEscalation(pending!.id, { approved: true, by: 'u2' })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await store.listOrders()).length).toBe(1);
  });

  it('changes risk limits and weights while running, validating them', async () => {
    const engine = createTradingEngine({ exchange: new TestExchange(), assistants: [createScriptedAssistant({ id: 'a', turns: [{ action: 'HOLD' }] })] });
    expect(engine.setRiskLimits({ maxPositionFraction: 0.1 })).toMatchObject({ maxPositionFraction: 0.1, minConfidence: 0.4 });
    expect(engine.riskLimits.maxPositionFraction).toBe(0.1);
    expect(() => engine.setRiskLimits({ maxPositionFraction: 3 })).toThrow(/risk limits: riskLimits\.maxPositionFraction/);
    expect(() => engine.setRiskLimits({ maxPosition: 0.1 } as never)).toThrow(/Unrecognized key/);
    engine.consensus.setWeights({ a: 3 });
    expect(engine.consensus.weightOf('a')).toBe(3);
    expect(() => engine.consensus.setWeights({ ghost: 1 })).toThrow(/options\.weights\.ghost: no assistant with id ghost/);
  });
});
