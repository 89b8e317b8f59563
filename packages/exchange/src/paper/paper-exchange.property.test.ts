import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isIaAgentsError, type Candle, type Fill, type OrderRequest } from '@ia-agents/core';
import { createPaperExchange, type PaperExchange } from './paper-exchange.js';
import { paperSettings, uniform } from './paper-arbitraries.js';

const MINUTE = 60_000;


/** A step of a random session: a candle move, an order, or a cancellation. */
const stepArbitrary = fc.oneof(
  fc.record({ kind: fc.constant('candle' as const), gap: uniform(-0.05, 0.05), move: uniform(-0.05, 0.05), wickUp: uniform(0, 0.03), wickDown: uniform(0, 0.03), volume: uniform(0, 50) }),
  fc.record({
    kind: fc.constant('order' as const),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    type: fc.constantFrom('market' as const, 'limit' as const, 'stop-loss' as const, 'take-profit' as const, 'trailing-stop' as const),
    fraction: uniform(0.01, 1.2),
    offset: uniform(-0.1, 0.1),
    /** A limit price for a stop order (a stop-limit), as an offset from its stop level. */
    limit: fc.option(uniform(-0.05, 0.05), { nil: undefined }),
    /** A limit order placed post-only. */
    postOnly: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  /** An order book around the last close (inside the last candle's range): market orders then fill against its depth. */
  fc.record({ kind: fc.constant('book' as const), spread: uniform(0.0001, 0.01), sizes: fc.array(uniform(0.01, 3), { minLength: 1, maxLength: 4 }) }),
);

const settingsArbitrary = paperSettings({ fee: 0.01, bps: 50, volumeBps: 20, impactBps: 200, volumeShare: { min: 0.01, max: 1, uncapped: true } });

type Step = typeof stepArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** Orders sized as a fraction of what is free (up to 120 %, so some must be refused). */
function request(step: Extract<Step, { kind: 'order' }>, index: number, price: number, free: { USDT: number; BTC: number }): OrderRequest {
  const amount = Math.max(0.001, step.fraction * (step.side === 'buy' ? free.USDT / price : free.BTC));
  const base = { clientOrderId: `p${index}`, symbol: 'BTC/USDT', side: step.side, type: step.type, amount };
  const level = price * (1 + step.offset);
  if (step.type === 'limit') return step.postOnly ? { ...base, price: level, postOnly: true } : { ...base, price: level };
  const limit = step.limit === undefined ? {} : { price: level * (1 + step.limit) };
  if (step.type === 'stop-loss' || step.type === 'take-profit') return { ...base, stopPrice: level, ...limit };
  if (step.type === 'trailing-stop') return { ...base, trailingPercent: Math.abs(step.offset) + 0.001, ...(step.limit === undefined ? {} : { price: price * (1 + step.limit) }) };
  return base;
}

type Settings = typeof settingsArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** The market of a random session: candles and books made from the steps, orders and cancellations sent to an exchange. */
class Market {
  readonly candles = new Map<number, Candle>();
  #price = 100;
  #time = 0;
  #last: Candle = { timestamp: 0, open: 100, high: 100, low: 100, close: 100, volume: 10 };

  constructor(exchange: PaperExchange) {
    this.candles.set(0, this.#last);
    exchange.onCandle('BTC/USDT', this.#last);
  }

  /** Applies a step to `exchange` (the steps of one session may go to an exchange and then to its restarted copy). */
  async apply(exchange: PaperExchange, step: Step, index: number): Promise<void> {
    const price = this.#price;
    if (step.kind === 'candle') {
      this.#time += MINUTE;
      const open = price * (1 + step.gap);
      const close = Math.max(1, open * (1 + step.move));
      const candle = { timestamp: this.#time, open, close, high: Math.max(open, close) * (1 + step.wickUp), low: Math.min(open, close) * (1 - step.wickDown), volume: step.volume };
      this.candles.set(this.#time, candle);
      exchange.onCandle('BTC/USDT', candle);
      this.#price = close;
      this.#last = candle;
    } else if (step.kind === 'book') {
      const last = this.#last;
      const inside = (level: number) => Math.min(last.high, Math.max(last.low, level));
      exchange.onOrderBook({
        symbol: 'BTC/USDT',
        timestamp: this.#time,
        asks: step.sizes.map((size, level) => [inside(price * (1 + step.spread * (level + 1))), size] as [number, number]),
        bids: step.sizes.map((size, level) => [inside(price * (1 - step.spread * (level + 1))), size] as [number, number]),
      });
    } else if (step.kind === 'order') {
      try {
        const balances = await exchange.fetchBalance();
        exchange.placeOrder(request(step, index, price, { USDT: balances.USDT?.free ?? 0, BTC: balances.BTC?.free ?? 0 }));
      } catch (error) {
        // Refused for want of funds, or post-only and at or through the market.
        if (!isIaAgentsError(error) || !(error.code === 'INSUFFICIENT_FUNDS' || (error.code === 'INVALID_ORDER' && (error.details as { rule?: string }).rule === 'postOnly'))) throw error;
      }
    } else {
      const open = await exchange.fetchOpenOrders();
      const victim = open[step.pick % Math.max(1, open.length)];
      if (victim !== undefined) await exchange.cancelOrder(victim.id, victim.symbol);
    }
  }
}

/**
 * Runs a random session and checks the invariants: value conserved up to fees, no negative balance,
 * reservations backed by what is held, fills only inside their candle and after their order, and a
 * JSON restart that gives back the same account.
 */
async function checkSession(settings: Settings, steps: Step[]): Promise<void> {
  const initial = { USDT: 1_000, BTC: 5 };
  const exchange = createPaperExchange({ ...settings, balances: initial });
  const market = new Market(exchange);
  for (const [index, step] of steps.entries()) {
    await market.apply(exchange, step, index);
    for (const balance of Object.values(await exchange.fetchBalance())) {
      expect(balance.total).toBeGreaterThanOrEqual(0);
      expect(balance.free).toBeGreaterThanOrEqual(0);
      expect(balance.used).toBeGreaterThanOrEqual(0);
    }
    // What open orders reserve is held (fetchBalance caps `used` at the total, so the ledger itself is read).
    for (const balance of Object.values(exchange.snapshot().balances)) expect(balance.used).toBeLessThanOrEqual(balance.total * (1 + 1e-9) + 1e-9);
  }
  const candles = market.candles;
  const fills: Fill[] = await exchange.fetchFills();
  let quote = initial.USDT;
  let base = initial.BTC;
  for (const fill of fills) {
    const candle = candles.get(fill.timestamp)!;
    expect(fill.price).toBeGreaterThanOrEqual(candle.low);
    expect(fill.price).toBeLessThanOrEqual(candle.high);
    const order = await exchange.fetchOrder(fill.orderId, fill.symbol);
    expect(fill.timestamp).toBeGreaterThanOrEqual(order.createdAt);
    // A post-only order never takes.
    if (order.postOnly === true) expect(fill.liquidity).toBe('maker');
    const value = fill.amount * fill.price;
    quote += fill.side === 'buy' ? -value : value;
    base += fill.side === 'buy' ? fill.amount : -fill.amount;
    // The fee is paid in the asset it names: the cash, or (a buy with buyFeeIn 'base') the asset bought.
    if (fill.fee.currency === 'BTC') base -= fill.fee.cost;
    else quote -= fill.fee.cost;
  }
  const balances = await exchange.fetchBalance();
  expect(balances.USDT!.total).toBeCloseTo(quote, 6);
  expect(balances.BTC!.total).toBeCloseTo(base, 9);
  if ((await exchange.fetchOpenOrders()).length === 0) expect(balances.USDT!.used + balances.BTC!.used).toBe(0);
  // Closed orders and fills live in column stores: a restart from the JSON snapshot gives back the same account.
  const saved = JSON.stringify(exchange.snapshot());
  const restarted = createPaperExchange({ ...settings, state: JSON.parse(saved) });
  expect(await restarted.fetchFills()).toStrictEqual(fills);
  expect(JSON.parse(JSON.stringify(restarted.snapshot()))).toEqual(JSON.parse(saved));
  for (const order of exchange.snapshot().orders) expect(await restarted.fetchOrder(order.order.id, order.order.symbol)).toEqual(await exchange.fetchOrder(order.order.id, order.order.symbol));
}

/** Sessions that stress reservations: near all-in market and limit buys filled a slice of the volume at a time while the price gaps up and down. */
const partFillSettings = paperSettings({ fee: 0.002, bps: 10, volumeBps: 5, impactBps: 50, volumeShare: { min: 0.02, max: 0.5, uncapped: false } });
const partFillStep = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('candle' as const), gap: uniform(-0.05, 0.05), move: uniform(-0.02, 0.02), wickUp: uniform(0, 0.01), wickDown: uniform(0, 0.01), volume: uniform(1, 30) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('order' as const), side: fc.constantFrom('buy' as const, 'sell' as const), type: fc.constantFrom('market' as const, 'limit' as const, 'stop-loss' as const), fraction: uniform(0.8, 1), offset: uniform(-0.02, 0.06), limit: fc.constant(undefined), postOnly: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
);

/**
 * The same session run straight and with a restart from the JSON snapshot after step `at`: the
 * restarted exchange must go on exactly as the one that never stopped (same orders, fills, balances).
 */
async function checkRestart(settings: Settings, steps: Step[], at: number): Promise<void> {
  const initial = { balances: { USDT: 1_000, BTC: 5 } };
  const straight = createPaperExchange({ ...settings, ...initial });
  let restarted = createPaperExchange({ ...settings, ...initial });
  const straightMarket = new Market(straight);
  const restartedMarket = new Market(restarted);
  for (const [index, step] of steps.entries()) {
    await straightMarket.apply(straight, step, index);
    await restartedMarket.apply(restarted, step, index);
    if (index === at % steps.length) restarted = createPaperExchange({ ...settings, state: JSON.parse(JSON.stringify(restarted.snapshot())) });
  }
  expect(await restarted.fetchFills()).toStrictEqual(await straight.fetchFills());
  expect(await restarted.fetchBalance()).toStrictEqual(await straight.fetchBalance());
  expect(JSON.parse(JSON.stringify(restarted.snapshot()))).toEqual(JSON.parse(JSON.stringify(straight.snapshot())));
}

describe('PaperExchange invariants (property-based)', () => {
  it('conserves value up to fees, never goes negative, fills only inside the candle and after the order', async () => {
    await fc.assert(fc.asyncProperty(settingsArbitrary, fc.array(stepArbitrary, { minLength: 20, maxLength: 80 }), checkSession), { numRuns: 1000, seed: 20261127 });
  });

  it('keeps every reservation backed when near all-in orders fill a slice at a time through price gaps', async () => {
    await fc.assert(fc.asyncProperty(partFillSettings, fc.array(partFillStep, { minLength: 20, maxLength: 60 }), checkSession), { numRuns: 500, seed: 20261207 });
  });

  it('goes on after a restart from its JSON snapshot at any step exactly as without the restart', async () => {
    await fc.assert(fc.asyncProperty(settingsArbitrary, fc.array(stepArbitrary, { minLength: 10, maxLength: 60 }), fc.nat(), checkRestart), { numRuns: 500, seed: 20261208 });
    await fc.assert(fc.asyncProperty(partFillSettings, fc.array(partFillStep, { minLength: 10, maxLength: 60 }), fc.nat(), checkRestart), { numRuns: 300, seed: 20261209 });
  });
});
