import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExchangeError, IaAgentsError, SimulatedClock, createTradingEngine, defineAssistant, type Candle, type Exchange, type Fill, type OpinionInput } from '@ia-agents/core';
import { MemoryStore } from '@ia-agents/core/testing';
import { feeInQuote, roundTrips } from '../backtest/metrics.js';
import { createReplayFeed } from '../feeds/replay-feed.js';
import { createPaperExchange, type PaperExchange } from './paper-exchange.js';
import { paperSettings, uniform } from './paper-arbitraries.js';

const MINUTE = 60_000;

const candleStep = fc.record({ gap: uniform(-0.04, 0.04), move: uniform(-0.04, 0.04), wickUp: uniform(0, 0.02), wickDown: uniform(0, 0.02), volume: uniform(0.5, 40) });
/** What the team says on a candle: an action, and for buys maybe a plan (stop under, target over the close, a size). */
const opinionStep = fc.record({
  action: fc.constantFrom('BUY' as const, 'SELL' as const, 'HOLD' as const),
  confidence: uniform(0.3, 1),
  stop: fc.option(uniform(0.005, 0.05), { nil: undefined }),
  target: fc.option(uniform(0.005, 0.08), { nil: undefined }),
  size: fc.option(uniform(0.05, 1), { nil: undefined }),
});
const settingsArbitrary = fc.record({
  exchange: paperSettings({ fee: 0.002, bps: 20, volumeBps: 5, impactBps: 80, volumeShare: { min: 0.05, max: 1, uncapped: true } }),
  maxPositionFraction: uniform(0.2, 1),
  maxTotalExposure: uniform(0.3, 1),
});
/** A second market (ETH/USDT at 50), starting up to ten candles after the first, or none. */
const secondMarket = fc.option(fc.record({ offset: fc.integer({ min: 0, max: 10 }), steps: fc.array(candleStep, { minLength: 5, maxLength: 40 }) }), { nil: undefined });

type Settings = typeof settingsArbitrary extends fc.Arbitrary<infer T> ? T : never;
type CandleStep = typeof candleStep extends fc.Arbitrary<infer T> ? T : never;
type OpinionStep = typeof opinionStep extends fc.Arbitrary<infer T> ? T : never;

function candlesOf(steps: readonly CandleStep[], startPrice = 100, offset = 0): Candle[] {
  let price = startPrice;
  return steps.map((step, position) => {
    const index = position + offset;
    const open = price * (1 + step.gap);
    const close = open * (1 + step.move);
    price = close;
    return { timestamp: index * MINUTE, open, close, high: Math.max(open, close) * (1 + step.wickUp), low: Math.min(open, close) * (1 - step.wickDown), volume: step.volume };
  });
}

/** The scripted team: what it says on a candle depends only on the candle's time and the symbol. */
function scriptedTeam(script: readonly OpinionStep[]) {
  return defineAssistant({
    id: 'script',
    analyze: (snapshot): OpinionInput => {
      const last = snapshot.candles.at(-1)!;
      const step = script[(Math.round(last.timestamp / MINUTE) + (snapshot.symbol === 'BTC/USDT' ? 0 : 5)) % script.length]!;
      const plan = step.action !== 'BUY' ? undefined : { ...(step.stop === undefined ? {} : { stopLoss: last.close * (1 - step.stop) }), ...(step.target === undefined ? {} : { takeProfit: last.close * (1 + step.target) }), ...(step.size === undefined ? {} : { sizeFraction: step.size }) };
      return { assistantId: 'script', action: step.action, confidence: step.confidence, reasoning: 'scripted', ...(plan === undefined ? {} : { plan }) };
    },
  });
}

interface Process {
  exchange: Exchange;
  clock: SimulatedClock;
  markets: readonly { symbol: string; candles: Candle[] }[];
  /** Candles closing by this time are warm-up history (a restarted process replays them). */
  tradeFrom?: number;
  store?: MemoryStore;
  onCandle?: (symbol: string, candle: Candle) => void;
  /** Outcome tracking and learning (off unless asked for). */
  learning?: boolean;
}

/** The real engine and replay feed over a paper exchange, with the team's words scripted per candle. */
function engineOf(settings: Settings, script: readonly OpinionStep[], process: Process) {
  const { maxPositionFraction, maxTotalExposure, exchange: exchangeSettings } = settings;
  const feed = createReplayFeed({ sources: process.markets.map(({ symbol, candles }) => ({ symbol, candles, timeframe: '1m' as const })), batchSize: 7, ...(process.tradeFrom === undefined ? {} : { tradeFrom: process.tradeFrom }) });
  return createTradingEngine({
    exchange: process.exchange,
    feed,
    clock: process.clock,
    assistants: [scriptedTeam(script)],
    riskLimits: { maxPositionFraction, maxTotalExposure, maxDrawdownFraction: 1, maxDailyLossFraction: 1, minConfidence: 0 },
    quoteCurrency: 'USDT',
    feeRate: exchangeSettings.takerFee,
    lookback: 5,
    learning: process.learning === true,
    outcomeHorizon: 3,
    consensus: { maxRounds: 1 },
    ...(process.store === undefined ? {} : { store: process.store }),
    ...(process.onCandle === undefined ? {} : { onCandle: process.onCandle }),
  });
}

/** One backtest through the real engine, feed and paper exchange. */
async function session(settings: Settings, markets: readonly { symbol: string; candles: Candle[] }[], script: readonly OpinionStep[]) {
  const clock = new SimulatedClock(0);
  const exchange = createPaperExchange({ ...settings.exchange, balances: { USDT: 1_000 }, quoteCurrency: 'USDT', clock });
  const ledgers: { total: number; used: number }[][] = [];
  const engine = engineOf(settings, script, { exchange, clock, markets, onCandle: () => void ledgers.push(Object.values(exchange.snapshot().balances).map((balance) => ({ ...balance }))) });
  const refusedLegs: string[] = [];
  engine.bus.on('order-reject', ({ clientOrderId, reason }) => void (/-(sl|tp)$/.test(clientOrderId ?? '') && refusedLegs.push(`${clientOrderId}: ${reason}`)));
  const summary = await engine.run();
  return { exchange, summary, ledgers, refusedLegs };
}

/**
 * The same session as one process, and as two: the first stops after the candles that close by
 * `cut`, the second starts from the first's JSON snapshot and store, replays the candles before
 * `cut` as warm-up and trades the rest. Returns both exchanges.
 */
async function withRestart(settings: Settings, markets: readonly { symbol: string; candles: Candle[] }[], script: readonly OpinionStep[], cut: number) {
  const straightClock = new SimulatedClock(0);
  const straight = createPaperExchange({ ...settings.exchange, balances: { USDT: 1_000 }, quoteCurrency: 'USDT', clock: straightClock });
  const straightStore = new MemoryStore();
  await engineOf(settings, script, { exchange: straight, clock: straightClock, markets, store: straightStore, learning: true }).run();
  const store = new MemoryStore();
  const firstClock = new SimulatedClock(0);
  const first = createPaperExchange({ ...settings.exchange, balances: { USDT: 1_000 }, quoteCurrency: 'USDT', clock: firstClock });
  const before = markets.map(({ symbol, candles }) => ({ symbol, candles: candles.filter((candle) => candle.timestamp + MINUTE <= cut) })).filter(({ candles }) => candles.length > 0);
  if (before.length > 0) await engineOf(settings, script, { exchange: first, clock: firstClock, markets: before, store, learning: true }).run();
  const secondClock = new SimulatedClock(cut);
  const second = createPaperExchange({ ...settings.exchange, quoteCurrency: 'USDT', clock: secondClock, state: JSON.parse(JSON.stringify(first.snapshot())) });
  const restartedEngine = engineOf(settings, script, { exchange: second, clock: secondClock, markets, store, tradeFrom: cut, learning: true });
  // What the first process learnt, as a server does at start.
  await restartedEngine.restore();
  await restartedEngine.run();
  return { straight, restarted: second, straightStore, store };
}

/** Text without the engine's decision ids (see `tradesOf`). */
const withoutIds = <T extends string | undefined>(text: T): T => text?.replace(/dec-[0-9a-z]+-[0-9a-z]+-[0-9a-f]+/g, 'dec') as T;

/**
 * Orders and fills without the engine's decision ids (`dec-<engine start>-<count>-<hex>`: a restarted
 * engine counts again from a later start), in the exchange's order; the suffixes (`-o`, `-o-sl`,
 * `-o-tp`) stay.
 */
async function tradesOf(exchange: PaperExchange) {
  const orders = exchange.snapshot().orders.map(({ order }) => ({ ...order, clientOrderId: withoutIds(order.clientOrderId), reason: withoutIds(order.reason), decisionId: undefined }));
  const fills = (await exchange.fetchFills()).map((fill) => ({ ...fill, clientOrderId: undefined }));
  return { orders, fills, balances: await exchange.fetchBalance() };
}

/**
 * What a process killed at its `crashAt`-th write leaves: the store's writes before it (those from
 * it on never arrive), and the paper account as last saved. The account is saved as the server
 * saves it: before each order and fill is recorded, and after each candle; each save is a write
 * too, so a crash falls anywhere between an account save and the record it precedes.
 */
function crashingAt(crashAt: number, clock: SimulatedClock) {
  const store = new MemoryStore();
  let writes = 0;
  let saved: string | undefined;
  let crashTime: number | undefined;
  let exchange: PaperExchange | undefined;
  const reaches = (): boolean => {
    writes += 1;
    if (writes >= crashAt) crashTime ??= clock.now();
    return writes < crashAt;
  };
  const saveAccount = (): void => {
    if (exchange !== undefined && reaches()) saved = JSON.stringify(exchange.snapshot());
  };
  const recording = new Proxy(store, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key, target);
      if (typeof member !== 'function') return member;
      if (typeof key !== 'string' || !/^(save|append)/.test(key)) return member.bind(target);
      return async (...args: unknown[]) => {
        if (key === 'saveOrder' || key === 'saveFill') saveAccount();
        if (!reaches()) throw new IaAgentsError('STORAGE_ERROR', 'the process was killed');
        return (member as (...values: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { store, recording, saveAccount, watch: (paper: PaperExchange) => void (exchange = paper), saved: () => saved, crashTime: () => crashTime };
}

/**
 * A paper exchange seen as a live venue: without its simulation hooks, so the engine places,
 * polls and looks orders up as it does on Binance, while the test hands the venue its candles.
 * Once `dead()` holds, every call fails as the network would (a killed process sends nothing).
 */
function liveVenue(paper: PaperExchange, dead: () => boolean): Exchange {
  const alive = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (dead()) throw new ExchangeError('EXCHANGE_NETWORK', 'the process was killed');
    return call(...args);
  };
  return {
    specificationVersion: 'v1',
    id: 'venue',
    supportsOco: true,
    fetchMarket: alive((symbol: string) => paper.fetchMarket(symbol)),
    fetchBalance: alive(() => paper.fetchBalance()),
    fetchTicker: alive((symbol: string) => paper.fetchTicker(symbol)),
    fetchOrderBook: alive((symbol: string, limit?: number) => paper.fetchOrderBook(symbol, limit)),
    fetchOHLCV: alive((...args: Parameters<PaperExchange['fetchOHLCV']>) => paper.fetchOHLCV(...args)),
    createOrder: alive((request: Parameters<PaperExchange['createOrder']>[0]) => paper.createOrder(request)),
    cancelOrder: alive((id: string, symbol: string) => paper.cancelOrder(id, symbol)),
    fetchOrder: alive((id: string, symbol: string) => paper.fetchOrder(id, symbol)),
    fetchOrderByClientId: alive((id: string, symbol: string) => paper.fetchOrderByClientId(id, symbol)),
    fetchOpenOrders: alive((symbol?: string) => paper.fetchOpenOrders(symbol)),
    fetchFills: alive((symbol?: string, since?: number) => paper.fetchFills(symbol, since)),
    createOcoOrder: alive((request: Parameters<PaperExchange['createOcoOrder']>[0]) => paper.createOcoOrder(request)),
  };
}

describe('TradingEngine on the PaperExchange (property-based)', () => {
  it('keeps money conserved and reserved money held, places each order once, and fills at most one leg of each protective pair', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArbitrary, fc.array(candleStep, { minLength: 10, maxLength: 60 }), secondMarket, fc.array(opinionStep, { minLength: 1, maxLength: 12 }), async (settings, steps, second, script) => {
        const markets = [{ symbol: 'BTC/USDT', candles: candlesOf(steps) }, ...(second === undefined ? [] : [{ symbol: 'ETH/USDT', candles: candlesOf(second.steps, 50, second.offset) }])];
        const { exchange, summary, ledgers, refusedLegs } = await session(settings, markets, script);
        // Protection sells exactly what the entry brought in (less a fee charged in the asset bought): never refused.
        expect(refusedLegs).toEqual([]);
        // After every candle: no negative balance, and what open orders reserve is held.
        for (const ledger of ledgers) {
          for (const balance of ledger) {
            expect(balance.total).toBeGreaterThanOrEqual(0);
            expect(balance.used).toBeGreaterThanOrEqual(0);
            expect(balance.used).toBeLessThanOrEqual(balance.total * (1 + 1e-9) + 1e-9);
          }
        }
        // Cash and holdings are what the fills say, up to fees.
        const fills: Fill[] = await exchange.fetchFills();
        let quote = 1_000;
        const bases: Record<string, number> = { BTC: 0, ETH: 0 };
        for (const fill of fills) {
          const value = fill.amount * fill.price;
          const asset = fill.symbol.split('/')[0]!;
          quote += fill.side === 'buy' ? -value : value;
          bases[asset]! += fill.side === 'buy' ? fill.amount : -fill.amount;
          if (fill.fee.currency === asset) bases[asset]! -= fill.fee.cost;
          else quote -= fill.fee.cost;
        }
        const balances = await exchange.fetchBalance();
        expect(balances.USDT!.total).toBeCloseTo(quote, 6);
        for (const [asset, held] of Object.entries(bases)) expect(balances[asset]?.total ?? 0).toBeCloseTo(held, 9);
        // Every order once: unique client order ids, one entry per decision, legs only for an entry; each fill recorded once.
        const orders = exchange.snapshot().orders.map((saved) => saved.order);
        const ids = orders.map((order) => order.clientOrderId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(summary.orders).toBe(orders.length);
        expect(summary.fills).toBe(fills.length);
        for (const order of orders) {
          const entry = order.clientOrderId.replace(/-(sl|tp)$/, '');
          if (entry !== order.clientOrderId) expect(orders.find((candidate) => candidate.clientOrderId === entry)?.side).toBe('buy');
          else expect(order.clientOrderId).toMatch(/^dec-.*-o$/);
        }
        // Of a stop-loss and take-profit pair, at most one sells.
        for (const order of orders.filter((candidate) => candidate.clientOrderId.endsWith('-sl'))) {
          const sibling = orders.find((candidate) => candidate.clientOrderId === order.clientOrderId.replace(/-sl$/, '-tp'));
          if (sibling !== undefined) expect(order.filled > 0 && sibling.filled > 0).toBe(false);
        }
        if ((await exchange.fetchOpenOrders()).length === 0) for (const balance of Object.values(balances)) expect(balance.used).toBe(0);
        // The backtest's round trips agree with the exchange's books: a symbol whose trips are all
        // closed made, in the sum of their results, what its position realised (fees in either asset).
        const trips = roundTrips(fills);
        for (const position of exchange.snapshot().positions) {
          const own = trips.filter((trip) => trip.symbol === position.symbol);
          if (position.amount > 0) continue;
          // Flat: every trip closed (a fee taken from the asset bought is not still held).
          expect(own.filter((trip) => trip.pnl === null)).toEqual([]);
          expect(own.reduce((sum, trip) => sum + trip.pnl!, 0)).toBeCloseTo(position.realizedPnl, 6);
          expect(own.reduce((sum, trip) => sum + trip.fees, 0)).toBeCloseTo(fills.filter((fill) => fill.symbol === position.symbol).reduce((sum, fill) => sum + feeInQuote(fill), 0), 9);
        }
        // The same run again gives the same fills.
        const again = await session(settings, markets, script);
        expect(await again.exchange.fetchFills()).toEqual(fills);
      }),
      { numRuns: 400, seed: 20261207 },
    );
  });

  it('a process killed at any write and restarted from its saved paper account and its store records every order and fill the account made, once, in the account\'s state', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArbitrary, fc.array(candleStep, { minLength: 10, maxLength: 40 }), secondMarket, fc.array(opinionStep, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 400 }), async (settings, steps, second, script, crashAt) => {
        const markets = [{ symbol: 'BTC/USDT', candles: candlesOf(steps) }, ...(second === undefined ? [] : [{ symbol: 'ETH/USDT', candles: candlesOf(second.steps, 50, second.offset) }])];
        const firstClock = new SimulatedClock(0);
        const crash = crashingAt(crashAt, firstClock);
        const first = createPaperExchange({ ...settings.exchange, balances: { USDT: 1_000 }, quoteCurrency: 'USDT', clock: firstClock });
        crash.watch(first);
        // The process goes on after the crash (its writes fail): nothing it does from then on is kept.
        await engineOf(settings, script, { exchange: first, clock: firstClock, markets, store: crash.recording, onCandle: crash.saveAccount }).run().catch(() => undefined);
        const restartAt = crash.crashTime() ?? firstClock.now();
        const saved = crash.saved();
        const secondClock = new SimulatedClock(restartAt);
        const account = saved === undefined
          ? createPaperExchange({ ...settings.exchange, balances: { USDT: 1_000 }, quoteCurrency: 'USDT', clock: secondClock })
          : createPaperExchange({ ...settings.exchange, quoteCurrency: 'USDT', clock: secondClock, state: JSON.parse(saved) });
        await engineOf(settings, script, { exchange: account, clock: secondClock, markets, store: crash.store, tradeFrom: restartAt }).run();
        const store = crash.store;
        // Every fill the account made is in the store, once, and no other.
        expect([...store.fills.keys()].sort()).toEqual((await account.fetchFills()).map((fill) => fill.id).sort());
        // Every order of the account is in the store in its state, and the store has no other.
        const held = new Map(account.snapshot().orders.map(({ order }) => [order.clientOrderId, order]));
        expect([...store.orders.keys()].sort()).toEqual([...held.keys()].sort());
        for (const [id, order] of held) expect([id, store.orders.get(id)?.status, store.orders.get(id)?.filled]).toEqual([id, order.status, order.filled]);
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('on a live venue, a process killed at any write and restarted with the store as it was records every order it placed and every fill of them, once, in the venue\'s state', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArbitrary, fc.array(candleStep, { minLength: 10, maxLength: 40 }), fc.array(opinionStep, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 300 }), async (settings, steps, script, crashAt) => {
        const markets = [{ symbol: 'BTC/USDT', candles: candlesOf(steps) }];
        // The venue lives on: its clock is the latest candle's open, its candles come from whichever process runs.
        const paper = createPaperExchange({ ...settings.exchange, balances: { USDT: 1_000 }, quoteCurrency: 'USDT' });
        const firstClock = new SimulatedClock(0);
        const crash = crashingAt(crashAt, firstClock);
        const stop = new AbortController();
        const dead = () => crash.crashTime() !== undefined;
        // The venue trades each candle once the engine has seen it; a dead process hands it nothing more.
        const trade = (symbol: string, candle: Candle) => {
          if (dead()) stop.abort();
          else paper.onCandle(symbol, candle);
        };
        await engineOf(settings, script, { exchange: liveVenue(paper, dead), clock: firstClock, markets, store: crash.recording, onCandle: trade }).run({ signal: stop.signal }).catch(() => undefined);
        // The next process replays the candles before the crash as warm-up (the venue ignores those it has seen) and trades on.
        const restartAt = crash.crashTime() ?? firstClock.now();
        const secondClock = new SimulatedClock(restartAt);
        await engineOf(settings, script, { exchange: liveVenue(paper, () => false), clock: secondClock, markets, store: crash.store, tradeFrom: restartAt, onCandle: (symbol, candle) => void paper.onCandle(symbol, candle) }).run();
        const store = crash.store;
        expect([...store.fills.keys()].sort()).toEqual((await paper.fetchFills()).map((fill) => fill.id).sort());
        const placed = paper.snapshot().orders.map(({ order }) => order);
        expect([...store.orders.keys()].sort()).toEqual(placed.map((order) => order.clientOrderId).sort());
        for (const order of placed) expect([order.clientOrderId, store.orders.get(order.clientOrderId)?.status, store.orders.get(order.clientOrderId)?.filled]).toEqual([order.clientOrderId, order.status, order.filled]);
      }),
      { numRuns: 200, seed: 20261211 },
    );
  });

  it('a process restarted from the paper snapshot and the store at any candle goes on trading and learning exactly as one that never stopped', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArbitrary, fc.array(candleStep, { minLength: 10, maxLength: 50 }), secondMarket, fc.array(opinionStep, { minLength: 1, maxLength: 12 }), fc.nat(), async (settings, steps, second, script, at) => {
        const markets = [{ symbol: 'BTC/USDT', candles: candlesOf(steps) }, ...(second === undefined ? [] : [{ symbol: 'ETH/USDT', candles: candlesOf(second.steps, 50, second.offset) }])];
        const cut = ((at % steps.length) + 1) * MINUTE;
        const { straight, restarted, straightStore, store } = await withRestart(settings, markets, script, cut);
        expect(await tradesOf(restarted)).toEqual(await tradesOf(straight));
        // Every decision's outcome measured once, also those the first process made and did not live
        // to score, and the same reliability learnt (up to float rounding: a record keeps the rate, not its parts).
        const outcomes = (saved: MemoryStore) => saved.outcomes.map((outcome) => ({ ...outcome, decisionId: withoutIds(outcome.decisionId) }));
        expect(outcomes(store)).toEqual(outcomes(straightStore));
        const records = (saved: MemoryStore) => [...saved.assistantRecords.values()].map((record) => ({ ...record, reliability: Number(record.reliability.toFixed(12)) }));
        expect(records(store)).toEqual(records(straightStore));
      }),
      { numRuns: 300, seed: 20261210 },
    );
  });
});
