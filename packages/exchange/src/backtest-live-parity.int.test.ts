/**
 * Backtest = paper trading on live data. The same real candles run
 * (a) through `runBacktest` (replay feed, PaperExchange, simulated clock), and
 * (b) through the live path: a local Binance (REST and WebSocket) -> the real ccxt client ->
 *     the streaming feed (watchOHLCV) or the polling feed (REST) -> `createTradingEngine` ->
 *     a PaperExchange built as the server's paper mode builds it (no clock, the ccxt exchange as
 *     its market data),
 * and must give the same candles, decisions, orders, fills and balances, bit for bit. Two
 * differences are the clock's, and only they are normalised, each to an exact rule (three with the ids):
 * - the live engine runs on the wall clock: a decision is stamped when its candle reached the
 *   engine (close + latency, later for candles fetched after a reconnection or a failed poll);
 *   the backtest's simulated clock stands at the candle's close;
 * - the paper exchange without a clock reads the time as the open of the latest candle it was
 *   handed: the times it stamps (order creation, cancellation, portfolio) are one timeframe
 *   before the backtest's. Fill times come from the candles and are the same (so is the time of a
 *   leg that its one-cancels-the-other partner's fill cancelled);
 * - decision and order ids carry the time their engine started (so that a restarted process never
 *   repeats them): the backtest's first candle, the live engine's start on the wall clock.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createEventBus, createTradingEngine, defineAssistant, type Candle, type Clock, type Decision, type EventBus, type MarketFeed, type Order } from '@ia-agents/core';
import { runBacktest, type BacktestResult } from './backtest/run-backtest.js';
import { bundledCandlesPath } from './bundled-data.js';
import { CcxtExchange } from './ccxt/ccxt-exchange.js';
import { CcxtStream } from './ccxt/ccxt-stream.js';
import { readCandlesCsv } from './feeds/candle-series.js';
import { createPollingFeed } from './feeds/polling-feed.js';
import { createStreamingFeed } from './feeds/streaming-feed.js';
import { createPaperExchange, type PaperExchange } from './paper/paper-exchange.js';
import { createSmaCrossover } from './strategies/sma-crossover.js';
import { startLocalBinance } from './testing/local-binance.js';

/** 585 real Binance BTC/USDT hourly candles. */
const CANDLES = readCandlesCsv(bundledCandlesPath('binance_BTC-USDT_1h')).candles;
const HOUR = 3_600_000;
/** The last candle only starts forming in the live runs (its first trade closes the one before): both runs cover the ones before it. */
const LAST = CANDLES.length - 1;
const END = CANDLES[LAST]!.timestamp;
/** Closed candles the live feeds fetch over REST before they go live. */
const WARMUP = 60;
/** How long after a candle's close its successor's first stream update reaches us. */
const STREAM_LATENCY = 1_500;
const INITIAL_CASH = 10_000;
const EVENTS = ['decision-make', 'order-place', 'order-fill', 'order-cancel', 'order-reject', 'risk-reject', 'portfolio-update', 'engine-error', 'data-gap'] as const;

type Event = { type: (typeof EVENTS)[number]; payload: Record<string, unknown> };

/** An SMA(5)/SMA(20) crossover, and a planner that puts a stop-loss 2 % under and a take-profit 3 % over each entry. */
function team() {
  const sma = createSmaCrossover({ fast: 5, slow: 20 });
  const planner = defineAssistant({
    id: 'exit-planner',
    analyze: (snapshot) => {
      const close = snapshot.candles.at(-1)!.close;
      return { assistantId: 'exit-planner', action: 'HOLD', confidence: 1, abstain: true, reasoning: 'exits 2 % under and 3 % over the last close', plan: { stopLoss: close * 0.98, takeProfit: close * 1.03 } };
    },
  });
  return { assistants: [sma.assistant, planner], trigger: sma.trigger };
}

/** Every decision, order, fill, rejection, valuation, error and gap, in order, as it was then. */
function journal(bus: EventBus): Event[] {
  const events: Event[] = [];
  for (const type of EVENTS) bus.on(type, (payload: unknown) => void events.push({ type, payload: structuredClone(payload) as Record<string, unknown> }));
  return events;
}

async function backtest(): Promise<{ result: BacktestResult; events: Event[] }> {
  const bus = createEventBus();
  const events = journal(bus);
  const { assistants, trigger } = team();
  // The live feeds start after WARMUP candles had closed: those are history they learn from, not trade on; so here.
  const result = await runBacktest({ data: [{ symbol: 'BTC/USDT', bundled: 'binance_BTC-USDT_1h' }], to: END, tradeFrom: CANDLES[WARMUP]!.timestamp, initialCash: INITIAL_CASH, assistants, trigger, bus });
  return { result, events };
}

/** A local Binance serving the candles, a real ccxt pro client on it, and a wall clock the test moves (the server hides candles opening after it). */
async function localBinance(start: number) {
  const { rest, ws, createClient, stop } = await startLocalBinance();
  onTestFinished(stop);
  const client = createClient();
  rest.klines.set('BTCUSDT 1h', CANDLES);
  let now = start;
  // Read-only, like the system clock: the engine cannot move it to candle closes.
  const clock: Clock = { now: () => now };
  const setWall = (time: number) => {
    now = time;
    rest.now = time;
  };
  setWall(start);
  return { rest, ws, client, clock, setWall };
}

interface LiveRun {
  exchange: PaperExchange;
  events: Event[];
  /** Candles in the order the engine processed them. */
  processed: Candle[];
  /** Wall time at which the engine processed each candle, by open time. */
  arrivals: Map<number, number>;
  summary: () => unknown;
  done: Promise<unknown>;
}

/** The engine and paper exchange of the server's paper mode, on a live feed. */
function paperTrading(feed: MarketFeed, market: CcxtExchange, clock: Clock, options: { paperClock?: boolean } = {}): LiveRun {
  const exchange = createPaperExchange({ balances: { USDT: INITIAL_CASH }, quoteCurrency: 'USDT', marketData: market, ...(options.paperClock === true ? { clock } : {}) });
  const bus = createEventBus();
  const events = journal(bus);
  const { assistants, trigger } = team();
  const processed: Candle[] = [];
  const arrivals = new Map<number, number>();
  // runBacktest's engine settings: lookback 200, seed 1, no learning, the taker fee reserved.
  const engine = createTradingEngine({
    exchange, feed, assistants, trigger, clock, bus, lookback: 200, seed: 1, learning: false, feeRate: 0.001, quoteCurrency: 'USDT',
    onCandle: (_symbol, candle) => {
      processed.push(candle);
      arrivals.set(candle.timestamp, clock.now());
    },
  });
  const controller = new AbortController();
  const done = engine.run({ signal: controller.signal });
  onTestFinished(async () => {
    controller.abort();
    await done.catch(() => undefined);
  });
  return { exchange, events, processed, arrivals, summary: () => engine.summary, done };
}

/** Candle `index` as its first trade shows it (what the stream sends when the candle opens). */
function firstTrade(index: number): Candle {
  const candle = CANDLES[index]!;
  return { timestamp: candle.timestamp, open: candle.open, high: candle.open, low: candle.open, close: candle.open, volume: 0.001 };
}

/**
 * The live path on the stream: every candle pushed as its first trade (which closes the one
 * before) and then its final values. While candle `dropAt` forms the connection drops; nothing
 * arrives for it and the next two, and the first update after the reconnection is a stale replay.
 */
async function streamingRun(options: { dropAt?: number; paperClock?: boolean }): Promise<LiveRun> {
  const dropAt = options.dropAt ?? Number.POSITIVE_INFINITY;
  const { rest, ws, client, clock, setWall } = await localBinance(CANDLES[WARMUP]!.timestamp + STREAM_LATENCY);
  const market = new CcxtExchange({ client, attempts: 3, backoffMs: 0, clock });
  const stream = new CcxtStream({ client, backoffMs: 0, clock });
  onTestFinished(() => stream.close());
  const feed = createStreamingFeed({ stream, exchange: market, symbols: ['BTC/USDT'], timeframe: '1h', warmup: WARMUP, clock });
  const live = paperTrading(feed, market, clock, options);
  await ws.subscribed('btcusdt@kline_1h');
  await expect.poll(() => live.processed.length).toBe(WARMUP);
  for (let index = WARMUP; index <= LAST; index += 1) {
    setWall(CANDLES[index]!.timestamp + STREAM_LATENCY);
    if (index === dropAt + 3) {
      await ws.subscribed('btcusdt@kline_1h', 2);
      ws.kline('BTCUSDT', '1h', CANDLES[index - 1]!, { closed: true });
    }
    ws.kline('BTCUSDT', '1h', firstTrade(index), { closed: false });
    if (index !== LAST && index !== dropAt) ws.kline('BTCUSDT', '1h', CANDLES[index]!, { closed: true });
    await expect.poll(() => live.processed.length, { timeout: 5_000, interval: 2 }).toBe(index);
    if (index === dropAt) {
      ws.dropConnections();
      index += 2;
    }
  }
  // The warm-up, and after the drop the candles from the one that was forming.
  const backfills = options.dropAt === undefined ? [CANDLES[0]!.timestamp] : [CANDLES[0]!.timestamp, CANDLES[options.dropAt]!.timestamp];
  expect(rest.sent('GET', '/api/v3/klines').map((request) => Number(request.params.startTime))).toEqual(backfills);
  expect(ws.connectionsOpened).toBe(backfills.length);
  return live;
}

/**
 * The live path on REST polling, as the server's paper mode runs it: polls `pollDelayMs` after each
 * close; a 503 makes one poll fail (retried after `retryMs`), a 429 with Retry-After is waited out.
 */
async function pollingRun(): Promise<LiveRun> {
  const pollDelayMs = 2_000;
  const { rest, client, clock, setWall } = await localBinance(CANDLES[WARMUP]!.timestamp + pollDelayMs);
  const market = new CcxtExchange({ client, attempts: 2, backoffMs: 0, clock, sleep: async (milliseconds) => setWall(clock.now() + milliseconds) });
  rest.faults.push(
    // Request 1 is the warm-up, request n the poll of candle 58 + n. Two 503s (the exchange's two
    // attempts) fail candle 259's poll (a SELL decision); the 429, counted from the poll's retry
    // on, hits candle 341's (a BUY) and is waited out inside the exchange.
    { path: '/api/v3/klines', kind: 'status', status: 503, body: '', after: 200 },
    { path: '/api/v3/klines', kind: 'status', status: 503, body: '' },
    { path: '/api/v3/klines', kind: 'status', status: 429, body: '{"code":-1003,"msg":"Too many requests."}', headers: { 'Retry-After': '30' }, after: 82 },
  );
  // The feed sleeps only once the engine has processed what the last successful poll brought, so
  // that every candle reaches the engine at the time of the poll that fetched it.
  let polledAt = clock.now();
  let failed = false;
  const engine: { run?: LiveRun } = {};
  const feed = createPollingFeed({
    exchange: market, symbols: ['BTC/USDT'], timeframe: '1h', warmup: WARMUP, until: END, pollDelayMs, retryMs: 5_000, clock,
    onError: () => void (failed = true),
    sleep: async (milliseconds) => {
      const closed = CANDLES.filter((candle) => candle.timestamp + HOUR <= polledAt && candle.timestamp < END).length;
      if (!failed) await expect.poll(() => engine.run!.processed.length, { timeout: 5_000, interval: 2 }).toBe(closed);
      failed = false;
      setWall(clock.now() + milliseconds);
      polledAt = clock.now();
    },
  });
  const live = (engine.run = paperTrading(feed, market, clock));
  await live.done;
  expect(rest.faults).toEqual([]);
  return live;
}

/** Decision times (the clock of the engine that made it) set to `time`. */
function retimed(decision: Decision, time: number): Decision {
  return { ...decision, createdAt: time, completedAt: time, rounds: decision.rounds.map((round) => ({ ...round, startedAt: time, endedAt: time })) };
}

/** A backtest event as the live run must show it: only the clock's fields moved, by the rules at the top. */
function asLive(event: Event, arrivals: ReadonlyMap<number, number>): Event {
  const { type, payload } = event;
  const paperTime = (time: number) => time - HOUR;
  const order = payload.order as Order | undefined;
  if (type === 'decision-make') {
    const decision = payload.decision as Decision;
    return { type, payload: { decision: retimed(decision, arrivals.get(decision.createdAt - HOUR)!) } };
  }
  if (type === 'portfolio-update') {
    const portfolio = payload.portfolio as { timestamp: number };
    return { type, payload: { portfolio: { ...portfolio, timestamp: paperTime(portfolio.timestamp) } } };
  }
  if (order === undefined) return event;
  // A fill's order was last updated by the fill, and the other leg of a one-cancels-the-other pair
  // by its partner's fill: that time comes from the candle.
  const byFill = type === 'order-fill' || /^one-cancels-the-other: .* filled$/.test(order.reason ?? '');
  const updatedAt = byFill ? order.updatedAt : paperTime(order.updatedAt);
  return { type, payload: { ...payload, order: { ...order, createdAt: paperTime(order.createdAt), updatedAt } } };
}

/** The start time an engine's ids carry (`dec-<start>-<n>-<hex>`), read from its first decision. */
function idEpoch(events: readonly Event[]): string {
  const decision = events.find((event) => event.type === 'decision-make')!.payload.decision as Decision;
  return /^dec-([0-9a-z]+)-/.exec(decision.id)![1]!;
}

/** A value of the backtest with its ids as the live engine makes them (the same, but for the start time they carry). */
function withLiveIds<T>(value: T, back: string, live: string): T {
  if (typeof value === 'string') return value.replaceAll(`dec-${back}-`, `dec-${live}-`) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withLiveIds(item, back, live)) as T;
  if (typeof value !== 'object' || value === null) return value;
  // Key by key, keeping undefined fields (a JSON round trip would drop them, and toStrictEqual tells).
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, withLiveIds(field, back, live)])) as T;
}

async function expectSameRun(back: { result: BacktestResult; events: Event[] }, live: LiveRun): Promise<void> {
  // Every candle exactly once, in order, with the same values: none lost, none doubled.
  expect(live.processed).toEqual(CANDLES.slice(0, LAST));
  expect(live.summary()).toEqual(back.result.engine);
  expect(live.events.map((event) => event.type)).toEqual(back.events.map((event) => event.type));
  const [backEpoch, liveEpoch] = [idEpoch(back.events), idEpoch(live.events)];
  expect(backEpoch).toBe(CANDLES[0]!.timestamp.toString(36));
  back.events.forEach((event, index) => expect(live.events[index], `event ${index} (${event.type})`).toStrictEqual(withLiveIds(asLive(event, live.arrivals), backEpoch, liveEpoch)));
  expect(await live.exchange.fetchFills()).toStrictEqual(withLiveIds(back.result.fills, backEpoch, liveEpoch));
  // Final state: the balances after the last fill (nothing changed them after it in either run)
  // and the equity at the last candle.
  const lastValuation = (events: Event[]) => (events.findLast((event) => event.type === 'portfolio-update')!.payload.portfolio as { balances: unknown }).balances;
  expect(back.events.at(-1)!.type).toBe('portfolio-update');
  expect(await live.exchange.fetchBalance()).toStrictEqual(lastValuation(back.events));
  expect(live.exchange.equity).toBe(back.result.metrics.finalEquity);
}

describe('backtest = paper trading on live data (real Binance candles through a local Binance)', () => {
  it('the compared run trades: entries, exits by the team and by stop-loss, protective orders cancelled before a sale', async () => {
    const { result, events } = await backtest();
    const of = (type: Event['type']) => events.filter((event) => event.type === type).map((event) => event.payload.order as Order);
    const kinds = (orders: Order[]) => [...new Set(orders.map((order) => `${order.type} ${order.side}`))].sort();
    expect(result.candles).toBe(LAST);
    // 30 crossovers in the candles; the 2 among the warm-up candles are learnt from, not traded on.
    expect(result.engine.decisions).toBe(28);
    expect(kinds(of('order-fill'))).toEqual(expect.arrayContaining(['market buy', 'market sell', 'stop-loss sell']));
    expect(kinds(of('order-cancel'))).toContain('stop-loss sell');
  });

  it('streaming feed (ccxt watchOHLCV), the connection dropped for three candles mid-run: same decisions, orders, fills and balances', async () => {
    const back = await backtest();
    // Candles 304 (a BUY), 305 (its fill, the stop-loss placed) and 306 (a SELL) close while the
    // connection is down: the team decides on them when REST brings them at the reconnection.
    const live = await streamingRun({ dropAt: 304 });
    await expectSameRun(back, live);
    expect([304, 305, 306].map((index) => live.arrivals.get(CANDLES[index]!.timestamp))).toEqual(Array(3).fill(CANDLES[307]!.timestamp + STREAM_LATENCY));
    expect(live.arrivals.get(CANDLES[200]!.timestamp)).toBe(CANDLES[201]!.timestamp + STREAM_LATENCY);
  });

  it('polling feed (REST, the server\'s paper mode) through a failed poll and a 429 with Retry-After: same decisions, orders, fills and balances', async () => {
    const back = await backtest();
    const live = await pollingRun();
    await expectSameRun(back, live);
    const arrival = (index: number) => live.arrivals.get(CANDLES[index]!.timestamp)! - CANDLES[index + 1]!.timestamp;
    // 2 s after the close; 5 s more after the failed poll; 30 s more where the 429 asked for them.
    expect([arrival(100), arrival(259), arrival(341)]).toEqual([2_000, 7_000, 32_000]);
  });

  // Regressions found by the runs above (both fixed in the paper exchange and the engine).

  it('a paper exchange on the wall clock fills at the same opens as the backtest (an order placed 1.5 s after a close fills from the next candle, not a whole candle later)', async () => {
    const back = await backtest();
    const live = await streamingRun({ paperClock: true });
    const money = (fills: { clientOrderId: string; side: string; amount: number; price: number; fee: unknown }[]) => fills.map(({ clientOrderId, side, amount, price, fee }) => ({ clientOrderId, side, amount, price, fee }));
    expect(money(await live.exchange.fetchFills())).toStrictEqual(withLiveIds(money(back.result.fills), idEpoch(back.events), idEpoch(live.events)));
  });

  it('places both legs of a stop-loss/take-profit plan as one-cancels-the-other (each alone reserved the whole position, so the take-profit was refused for want of funds)', async () => {
    const { events } = await backtest();
    expect(events.filter((event) => event.type === 'order-reject')).toEqual([]);
  });
});
