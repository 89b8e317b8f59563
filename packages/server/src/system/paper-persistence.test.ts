import { createEventBus, type EventBus, type IaAgentsEvents } from '@ia-agents/core';
import { buildCandles } from '@ia-agents/core/testing';
import { createPaperExchange, type PaperExchange } from '@ia-agents/exchange';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../storage/sqlite-store.js';
import { persistPaperAccount } from './paper-persistence.js';

describe('persistPaperAccount (real PaperExchange, SQLite in memory, fake timers)', () => {
  let store: SqliteStore;
  let userId: string;
  let exchange: PaperExchange;
  let bus: EventBus;
  const start = Date.UTC(2026, 0, 1);

  beforeEach(async () => {
    vi.useFakeTimers({ now: start });
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    userId = (await store.createUser({ username: 'admin', email: 'admin@localhost' })).id;
    exchange = createPaperExchange({ balances: { USDT: 10_000 }, fill: 'signal-close' });
    for (const candle of buildCandles({ count: 3, timeframe: '1m', startPrice: 40_000 })) exchange.onCandle('BTC/USDT', candle);
    bus = createEventBus();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
  });

  /** Places an order on the exchange and tells the bus, as the engine does. */
  async function buy(clientOrderId: string): Promise<void> {
    const order = await exchange.createOrder({ clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 });
    bus.emit('order-place', { order });
  }

  it('saves a change at most a second after it, once for a burst of events', async () => {
    const persistence = persistPaperAccount({ userId, store, exchange, quoteCurrency: 'USDT', bus });
    await buy('a');
    await vi.advanceTimersByTimeAsync(500);
    await buy('b');
    bus.emit('order-fill', { fill: exchange.snapshot().fills[1]! });
    expect(await store.getPaperAccount(userId)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(500);
    expect(await store.getPaperAccount(userId)).toEqual({ quoteCurrency: 'USDT', state: exchange.snapshot(), updatedAt: start + 1000 });
    await vi.advanceTimersByTimeAsync(5000);
    expect((await store.getPaperAccount(userId))?.updatedAt).toBe(start + 1000);
    await persistence.close();
  });

  it('saveNow: resolves once a snapshot taken after the call is saved; callers while a save waits its turn share it', async () => {
    // A store whose saves finish when the test says: one save running, others queued behind it.
    const saved: string[][] = [];
    const releases: (() => void)[] = [];
    const slow = { savePaperAccount: async (_user: string, account: { state: { orders: { order: { clientOrderId: string } }[] } }) => {
      saved.push(account.state.orders.map(({ order }) => order.clientOrderId));
      await new Promise<void>((resolve) => releases.push(resolve));
    } } as unknown as SqliteStore;
    const persistence = persistPaperAccount({ userId, store: slow, exchange, quoteCurrency: 'USDT', bus });
    await buy('a');
    const first = persistence.saveNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(saved).toEqual([['a']]);
    // Changes while that save runs: it has taken its snapshot, so one more save follows, shared by both callers.
    await buy('b');
    const second = persistence.saveNow();
    await buy('c');
    const third = persistence.saveNow();
    let done = 0;
    for (const waiting of [first, second, third]) void waiting.then(() => (done += 1));
    releases.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect([saved, done]).toEqual([[['a'], ['a', 'b', 'c']], 1]);
    releases.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(3);
    // The debounced save of the same events finds nothing left to save.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(saved).toHaveLength(2);
    const closing = persistence.close();
    await vi.advanceTimersByTimeAsync(0);
    releases.shift()!();
    await closing;
  });

  it('leaves orders closed longer ago than keepClosedMs out of the saved account, with their fills', async () => {
    const persistence = persistPaperAccount({ userId, store, exchange, quoteCurrency: 'USDT', bus, keepClosedMs: 60_000 });
    // The exchange's clock is its latest candle's open (it has none of its own here).
    await buy('old');
    const last = exchange.snapshot().marketTime;
    exchange.onCandle('BTC/USDT', { timestamp: last + 5 * 60_000, open: 40_000, high: 40_100, low: 39_900, close: 40_000, volume: 10 });
    await buy('new');
    await persistence.saveNow();
    const saved = (await store.getPaperAccount(userId))!.state;
    expect(saved.orders.map(({ order }) => order.clientOrderId)).toEqual(['new']);
    expect(saved.fills.map((fill) => fill.clientOrderId)).toEqual(['new']);
    expect(saved.balances).toEqual(exchange.snapshot().balances);
    expect(exchange.snapshot().orders).toHaveLength(2);
    await persistence.close();
  });

  it('saves what is left on close at once, and nothing after it', async () => {
    const persistence = persistPaperAccount({ userId, store, exchange, quoteCurrency: 'USDT', bus });
    await buy('a');
    await vi.advanceTimersByTimeAsync(200);
    await persistence.close();
    expect(await store.getPaperAccount(userId)).toEqual({ quoteCurrency: 'USDT', state: exchange.snapshot(), updatedAt: start + 200 });
    const closed = exchange.snapshot();
    await buy('b');
    await vi.advanceTimersByTimeAsync(5000);
    expect((await store.getPaperAccount(userId))?.state).toEqual(closed);
  });

  it('discard: a change waiting for its save, later changes, saveNow and close save nothing (the account is another server\'s now)', async () => {
    const persistence = persistPaperAccount({ userId, store, exchange, quoteCurrency: 'USDT', bus });
    await buy('a');
    await persistence.saveNow();
    const saved = await store.getPaperAccount(userId);
    expect(saved?.state).toEqual(exchange.snapshot());
    await buy('b');
    persistence.discard();
    await buy('c');
    await vi.advanceTimersByTimeAsync(5000);
    await persistence.saveNow();
    await persistence.close();
    expect(await store.getPaperAccount(userId)).toEqual(saved);
  });

  it('reports a failed save as engine-error (paper-save) without throwing, and saves it on the next try', async () => {
    const errors: IaAgentsEvents['engine-error'][] = [];
    bus.on('engine-error', (payload) => void errors.push(payload));
    const persistence = persistPaperAccount({ userId, store, exchange, quoteCurrency: 'USDT', bus });
    await store.rawExec('ALTER TABLE paper_accounts RENAME TO paper_accounts_away');
    await buy('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors.map(({ stage, error }) => [stage, error.message])).toEqual([['paper-save', expect.stringMatching(/paper_accounts/)]]);
    await store.rawExec('ALTER TABLE paper_accounts_away RENAME TO paper_accounts');
    await persistence.close();
    expect((await store.getPaperAccount(userId))?.state).toEqual(exchange.snapshot());
    expect(errors).toHaveLength(1);
  });

  it('saves through the lease when given one; a save it refuses in flight when the account is discarded is not reported', async () => {
    const errors: IaAgentsEvents['engine-error'][] = [];
    bus.on('engine-error', (payload) => void errors.push(payload));
    const lease = await store.holdAccount(userId);
    // The lease's saves, held until the test lets the one in flight end.
    let finish: ((error?: Error) => void) | undefined;
    const through: number[] = [];
    const slow = { savePaperAccount: async (account: Parameters<typeof lease.savePaperAccount>[0]) => {
      through.push(account.state.orders.length);
      const error = await new Promise<Error | undefined>((resolve) => (finish = resolve));
      if (error !== undefined) throw error;
      await lease.savePaperAccount(account);
    } };
    const persistence = persistPaperAccount({ userId, store, lease: slow, exchange, quoteCurrency: 'USDT', bus });
    await buy('a');
    const first = persistence.saveNow();
    await vi.advanceTimersByTimeAsync(0);
    finish!();
    await first;
    expect(through).toEqual([1]);
    expect((await store.getPaperAccount(userId))?.state).toEqual(exchange.snapshot());
    await buy('b');
    const second = persistence.saveNow();
    await vi.advanceTimersByTimeAsync(0);
    persistence.discard();
    finish!(Object.assign(new Error('lease lost during the save'), { code: 'CONFLICT' }));
    await second;
    expect(through).toEqual([1, 2]);
    expect((await store.getPaperAccount(userId))?.state.orders).toHaveLength(1);
    expect(errors).toEqual([]);
    await lease.release();
  });
});
